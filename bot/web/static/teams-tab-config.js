// The configuration page of the Teams channel tab: nothing to choose, the tab shows the process of
// the channel it is added to. Saving sets the tab's address with that channel in it.
(function () {
  "use strict";
  var holder = document.getElementById("samskab-tab");

  microsoftTeams.app
    .initialize()
    .then(function () {
      return microsoftTeams.app.getContext();
    })
    .then(function (context) {
      var channel = (context.channel && context.channel.id) || "";
      var address = window.location.origin + "/teams/tab?channel=" + encodeURIComponent(channel);
      microsoftTeams.pages.config.registerOnSaveHandler(function (saving) {
        microsoftTeams.pages.config
          .setConfig({
            entityId: "samskab-status",
            contentUrl: address,
            websiteUrl: address,
            suggestedDisplayName: holder.getAttribute("data-tab-name"),
          })
          .then(function () {
            saving.notifySuccess();
          })
          .catch(function (error) {
            saving.notifyFailure(String(error));
          });
      });
      microsoftTeams.pages.config.setValidityState(true);
    })
    .catch(function (error) {
      holder.textContent = holder.getAttribute("data-failed");
      if (window.console) {
        window.console.warn("Samskab: the tab could not be configured", error);
      }
    });
})();
