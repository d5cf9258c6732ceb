"""Makes the README's pictures of the status page: the demo process (`samskab demo`) on screen
and as printed, in headless Chromium (the operating system's; `CHROMIUM_PATH` to name another).

    .venv/bin/python scripts/page_screenshots.py [docs/images]
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from pathlib import Path

from playwright.sync_api import sync_playwright

from bot.demo import load_demo
from bot.web.page import STATIC, status_page_html
from handlers.context import Deps
from handlers.i18n import Translator
from storage.db import Database
from storage.migrate import upgrade


def main(out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as directory:
        url = f"sqlite:///{directory}/demo.db"
        upgrade(url)
        deps = Deps(db=Database(url))
        load_demo(deps, Translator("da"))
        # The stylesheet inline, as the server would send it from /static/status.css.
        css = (STATIC / "status.css").read_text(encoding="utf-8")
        html = status_page_html(deps, 1).replace(
            '<link rel="stylesheet" href="/static/status.css">', f"<style>{css}</style>"
        )
    chromium = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium")
    if chromium is None:
        sys.exit("no Chromium: apt-get install chromium, or set CHROMIUM_PATH")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=["--no-sandbox"])
        page = browser.new_page(viewport={"width": 1100, "height": 900})
        page.set_content(html)
        page.screenshot(path=out / "status-page.png", full_page=True)
        page.emulate_media(media="print")
        page.set_viewport_size({"width": 794, "height": 1123})  # A4 at 96 dpi
        page.screenshot(path=out / "status-page-print.png", full_page=True)
        browser.close()
    print(f"wrote {out / 'status-page.png'} and {out / 'status-page-print.png'}")


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else "docs/images"))
