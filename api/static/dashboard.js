// The two forms whose address is made from what is chosen in them: a pupil's page, and a hub's figures.
// Here, not in the pages, so the pages' CSP can refuse inline scripts.
document.addEventListener("DOMContentLoaded", function () {
  var find = document.getElementById("find-pupil");
  if (find) {
    find.addEventListener("submit", function () {
      find.action += encodeURIComponent(find.upn.value.trim());
      find.upn.disabled = true;
    });
  }
  var figures = document.getElementById("figures");
  if (figures) {
    figures.addEventListener("submit", function () {
      figures.action = figures.dataset.hubs + encodeURIComponent(figures.hub.value);
    });
  }
});
