"""The web pages: the status page (bot.web.page) and who may see it (bot.web.access)."""
