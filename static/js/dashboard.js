/* The official's dashboard: monthly trends drawn with the vendored Chart.js.
   Data comes from the page (json_script and data attributes): no inline script, strict CSP. */
(function () {
  "use strict";
  var source = document.getElementById("trend-data");
  var names = document.getElementById("trend-labels");
  if (!source || !names || typeof Chart === "undefined") {
    return;
  }
  var data = JSON.parse(source.textContent);
  var text = names.dataset;
  var common = {
    responsive: true,
    maintainAspectRatio: false,
    animation: false,
    interaction: { mode: "index", intersect: false },
    scales: { y: { beginAtZero: true, ticks: { precision: 0 } } },
    plugins: { legend: { position: "bottom" } }
  };
  function draw(id, type, datasets) {
    var canvas = document.getElementById(id);
    if (canvas) {
      new Chart(canvas, { type: type, data: { labels: data.labels, datasets: datasets }, options: common });
    }
  }
  draw("chart-contact", "line", [
    { label: text.visits, data: data.visits, borderColor: "#0d6efd", backgroundColor: "#0d6efd" },
    { label: text.left, data: data.left, borderColor: "#fd7e14", backgroundColor: "#fd7e14" }
  ]);
  draw("chart-checkins", "bar", [
    { label: text.done, data: data.checkins_done, backgroundColor: "#198754", stack: "c" },
    { label: text.missed, data: data.checkins_missed, backgroundColor: "#dc3545", stack: "c" },
    { label: text.concerns, data: data.concerns, type: "line", borderColor: "#6f42c1",
      backgroundColor: "#6f42c1" }
  ]);
  document.documentElement.dataset.chartsReady = "1";
})();
