// The Teams channel tab: asks Teams for the person's Azure AD token (single sign-on), fetches the
// status page with it and shows the page in place of this shell. Served from /static so that the
// Content-Security-Policy can forbid inline scripts.
(function () {
  "use strict";
  var holder = document.getElementById("samskab-tab");

  function channelOf(context) {
    // The configuration page puts the channel in the tab's address; Teams' context knows it too.
    var named = new URLSearchParams(window.location.search).get("channel");
    return named || (context.channel && context.channel.id) || "";
  }

  function show(html) {
    var page = new DOMParser().parseFromString(html, "text/html");
    document.documentElement.lang = page.documentElement.lang || document.documentElement.lang;
    if (page.title) {
      document.title = page.title;
    }
    page.head.querySelectorAll('link[rel="stylesheet"]').forEach(function (link) {
      var href = link.getAttribute("href");
      if (!document.head.querySelector('link[href="' + href + '"]')) {
        document.head.appendChild(document.importNode(link, true));
      }
    });
    var nodes = Array.prototype.map.call(page.body.childNodes, function (node) {
      return document.importNode(node, true);
    });
    document.body.replaceChildren.apply(document.body, nodes);
  }

  function failed(error) {
    holder.textContent = holder.getAttribute("data-failed");
    if (window.console) {
      window.console.warn("Samskab: the status could not be shown", error);
    }
  }

  microsoftTeams.app
    .initialize()
    .then(function () {
      return Promise.all([microsoftTeams.app.getContext(), microsoftTeams.authentication.getAuthToken()]);
    })
    .then(function (got) {
      var address = "/teams/tab/page?channel=" + encodeURIComponent(channelOf(got[0]));
      return window.fetch(address, {
        headers: { Authorization: "Bearer " + got[1] },
        credentials: "omit",
        cache: "no-store",
      });
    })
    .then(function (response) {
      // A refusal (401, 403) is a page too: it says why.
      return response.text();
    })
    .then(show)
    .catch(failed);
})();
