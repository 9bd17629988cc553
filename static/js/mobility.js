/* The mobility choice of the candidate's profile (templates/candidate/_mobility.html).

   The page works without this script: each région is a <details> of checkboxes.
   This only keeps what is chosen visible while the candidate ticks: the state next to
   each région's name ("toute la région", "2 départements choisis") and the summary
   line above the list (an aria-live region), as the server writes them on load. */
(function () {
  "use strict";

  var fieldset = document.querySelector("[data-mobility]");
  var summary = document.querySelector("[data-mobility-summary]");
  if (!fieldset || !summary) {
    return;
  }
  var regions = fieldset.querySelectorAll("[data-mobility-region]");

  function plural(count, singular, several) {
    return count + " " + (count > 1 ? several : singular);
  }

  function labelOf(input) {
    var label = fieldset.querySelector('label[for="' + input.id + '"]');
    return label ? label.textContent.trim() : input.value;
  }

  function refresh() {
    var chosen = [];
    regions.forEach(function (region) {
      var name = region.getAttribute("data-mobility-region");
      var whole = region.querySelector("[data-mobility-whole]");
      var departments = region.querySelectorAll(
        'input[name="mobility_departments"]:checked'
      );
      var state = "";
      if (whole && whole.checked) {
        chosen.push(name + " (toute la région)");
        state = "toute la région";
        if (departments.length) {
          state += " et " + plural(departments.length, "département", "départements");
        }
      } else if (departments.length) {
        state = plural(departments.length, "département choisi", "départements choisis");
      }
      departments.forEach(function (input) {
        chosen.push(labelOf(input));
      });
      var stateElement = region.querySelector("[data-mobility-state]");
      if (stateElement) {
        stateElement.textContent = state;
      }
    });
    summary.textContent = chosen.length
      ? "Vos choix : " + chosen.join(", ") + "."
      : "Aucun territoire choisi.";
  }

  fieldset.addEventListener("change", refresh);
})();
