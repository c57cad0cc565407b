// Keeps the organiser dashboard current: reloads every 30 seconds while the box
// "automatisch aktualisieren" is ticked (remembered per browser) and nobody is typing.
// Without JavaScript the page simply shows when it was last updated.
(function () {
  var box = document.getElementById("auto-refresh");
  if (!box) { return; }
  box.parentElement.hidden = false;
  box.checked = localStorage.getItem("forumreg-auto-refresh") !== "off";
  box.addEventListener("change", function () {
    localStorage.setItem("forumreg-auto-refresh", box.checked ? "on" : "off");
  });
  setInterval(function () {
    var typing = document.activeElement && /INPUT|SELECT|TEXTAREA/.test(document.activeElement.tagName)
      && document.activeElement !== box;
    if (box.checked && !typing) { window.location.reload(); }
  }, 30000);
})();
