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

// The activity form's organisation picker: as a name is typed, the register's matches are offered
// (the same list "Find in the register" shows without the script); choosing one fills in its
// details. The employer's task is shown only for the kinds it applies to.
document.addEventListener("DOMContentLoaded", function () {
  var form = document.getElementById("record-activity");
  if (!form) {
    return;
  }
  var name = form.elements["with"], kind = form.elements.kind;
  var matches = document.getElementById("af-matches");
  var waiting = null, asked = "";

  function role() {
    return kind.options[kind.selectedIndex].dataset.role;
  }

  function option(value, text, about, organisation) {
    var label = document.createElement("label"), input = document.createElement("input");
    label.className = "match";
    input.type = "radio";
    input.name = "organisation";
    input.value = value;
    if (organisation) {
      input.dataset.name = organisation.name;
      input.dataset.sector = organisation.sector || "";
      input.dataset.size = organisation.size || "";
      input.dataset.providerType = organisation.provider_type || "";
    }
    label.appendChild(input);
    label.appendChild(document.createTextNode(" " + text + " "));
    if (about) {
      var hint = document.createElement("span");
      hint.className = "hint";
      hint.textContent = "(" + about + ")";
      label.appendChild(hint);
    }
    return label;
  }

  function show(found) {
    var set = document.createElement("fieldset"), legend = document.createElement("legend");
    set.className = "matches";
    legend.textContent = "In the register";
    set.appendChild(legend);
    var same = false;
    found.forEach(function (organisation) {
      set.appendChild(option(organisation.id, organisation.name, organisation.about, organisation));
      same = same || organisation.same_name;
    });
    if (!same) {
      set.appendChild(option("new", "A new organisation: " + name.value.trim(), "", null));
    }
    var first = set.querySelector("input");
    first.id = "af-organisation";
    found.forEach(function (organisation, i) {
      if (organisation.same_name) {
        set.querySelectorAll("input")[i].checked = true;
      }
    });
    if (!set.querySelector("input:checked")) {
      set.querySelector("input[value=new]").checked = true;
    }
    matches.replaceChildren(set);
    fillFrom(set.querySelector("input:checked").dataset, true);
  }

  function ask() {
    var text = name.value.trim();
    if (text === asked) {
      return;
    }
    asked = text;
    if (!text) {
      matches.replaceChildren();
      return;
    }
    var address = form.dataset.organisations + "?q=" + encodeURIComponent(text) +
      (role() ? "&role=" + role() : "");
    fetch(address, {credentials: "same-origin", headers: {Accept: "application/json"}})
      .then(function (answer) { return answer.ok ? answer.json() : null; })
      .then(function (found) {
        if (found && name.value.trim() === text) {
          show(found);
        }
      });
  }

  name.addEventListener("input", function () {
    clearTimeout(waiting);
    waiting = setTimeout(ask, 250);
  });
  kind.addEventListener("change", function () {
    asked = "";
    ask();
    showTask();
  });
  // The register's details of the organisation chosen; offered unasked, only where none is chosen.
  function fillFrom(chosen, onlyBlank) {
    [["sector", chosen.sector], ["size", chosen.size], ["provider_type", chosen.providerType]]
      .forEach(function (pair) {
        var field = form.elements[pair[0]];
        if (pair[1] && !(onlyBlank && field.value)) {
          field.value = pair[1];
        }
      });
  }
  matches.addEventListener("change", function (event) {
    fillFrom(event.target.dataset, false);
  });

  function showTask() {
    var workplace = kind.options[kind.selectedIndex].dataset.category === "workplace";
    document.querySelectorAll(".check-workplace").forEach(function (box) {
      box.hidden = !workplace;
    });
  }
  showTask();
});

// A form shown again with errors: the summary takes the focus, so a screen reader reads it first,
// and each of its links moves the focus to its field (following a link alone would only scroll).
document.addEventListener("DOMContentLoaded", function () {
  var summary = document.getElementById("error-summary");
  if (!summary) {
    return;
  }
  summary.focus();
  summary.addEventListener("click", function (event) {
    var target = event.target.closest("a") &&
      document.getElementById(event.target.closest("a").hash.slice(1));
    if (target) {
      event.preventDefault();
      target.scrollIntoView();
      target.focus();
    }
  });
});

// The placements board's arrange form: the register's employers offered as the name is typed,
// by the activity form's matching, and whether the name is already in the register or new to it.
// Without the script the server matches the name alike when the placement is arranged.
document.addEventListener("DOMContentLoaded", function () {
  var form = document.getElementById("arrange");
  if (!form || !form.dataset.organisations) {
    return;
  }
  var name = form.elements.employer, waiting = null;
  var offered = document.getElementById("arrange-employers");
  var said = document.getElementById("arrange-match");

  function offer(organisation) {
    var option = document.createElement("option");
    option.value = organisation.name;
    option.textContent = organisation.about || "";
    return option;
  }

  function fillBlank(organisation) {
    ["sector", "size"].forEach(function (field) {
      if (organisation[field] && !form.elements[field].value) {
        form.elements[field].value = organisation[field];
      }
    });
  }

  function show(text, found) {
    offered.replaceChildren.apply(offered, found.map(offer));
    var same = found.filter(function (organisation) { return organisation.same_name; })[0];
    if (same) {
      said.textContent = "In the register: " + same.name;
      fillBlank(same);
    } else {
      said.textContent = "New to the register: " + text +
        (found.length ? " (or choose one of the names offered)" : "");
    }
  }

  function ask() {
    var text = name.value.trim();
    if (!text) {
      offered.replaceChildren();
      said.textContent = "";
      return;
    }
    var address = form.dataset.organisations + "?q=" + encodeURIComponent(text) + "&role=employer";
    fetch(address, {credentials: "same-origin", headers: {Accept: "application/json"}})
      .then(function (answer) { return answer.ok ? answer.json() : null; })
      .then(function (found) {
        if (found && name.value.trim() === text) {
          show(text, found);
        }
      });
  }

  name.addEventListener("input", function () {
    clearTimeout(waiting);
    waiting = setTimeout(ask, 250);
  });
});
