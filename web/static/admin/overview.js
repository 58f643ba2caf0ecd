// Forewarn overview: draws the page's charts from its JSON block (#overview-data) with Chart.js (global `Chart`).
// Each chart's canvas has an aria-label and a data table beside it; a chart with no data has no canvas (the
// template shows its empty state instead), so a canvas missing here is normal.
"use strict";
(() => {
  const data = Forewarn.json("overview-data");
  if (!data || typeof Chart === "undefined") return;

  // Polaris-like tones: critical for problems, success for what went well, the interactive blue for rates
  const TONES = {
    critical: "#e51c00", success: "#29845a", blue: "#005bd3", blueFill: "rgba(0, 91, 211, 0.12)",
    attention: "#e5a100", info: "#0094d5", subdued: "#8a8a8a", grid: "#ebebeb", text: "#616161",
  };
  // the at-risk bars: a case's priority for that problem (legend in the template, .swatch in overview.css)
  const TIERS = {urgent: TONES.critical, high: "#e08a00", normal: "#8a6116"};
  Chart.defaults.font.family = getComputedStyle(document.body).fontFamily;
  Chart.defaults.font.size = 12;
  Chart.defaults.color = TONES.text;
  Chart.defaults.maintainAspectRatio = false;
  Chart.defaults.responsive = true;
  Chart.defaults.plugins.legend.labels.boxWidth = 12;
  Chart.defaults.plugins.legend.labels.boxHeight = 12;
  Chart.defaults.plugins.tooltip.backgroundColor = "#1a1a1a";
  Chart.defaults.plugins.tooltip.padding = 8;

  const percentAxis = {min: 0, max: 100, ticks: {stepSize: 25, callback: (v) => v + " %"}, grid: {color: TONES.grid}};
  const countAxis = {beginAtZero: true, ticks: {precision: 0}, grid: {color: TONES.grid}};
  const quietAxis = {grid: {display: false}};
  const shortDay = (iso) => new Date(iso + "T00:00:00Z").toLocaleDateString(undefined, {day: "numeric", month: "short", timeZone: "UTC"});
  const rateTooltip = (series) => ({
    callbacks: {
      label: (item) => {
        const i = item.dataIndex;
        return item.raw === null ? "no delivery" : `${item.raw} % on time (${series.on_time[i]} of ${series.delivered[i]})`;
      },
    },
  });

  const charts = {
    at_risk: (d) => ({
      type: "bar",
      data: {labels: d.labels, datasets: [{
        label: "At risk", data: d.affected, backgroundColor: d.priority.map((p) => TIERS[p] || TIERS.normal),
        borderRadius: 4, maxBarThickness: 26,
      }]},
      options: {
        indexAxis: "y", scales: {x: countAxis, y: quietAxis},
        plugins: {legend: {display: false}, tooltip: {callbacks: {label: (item) => {
          const i = item.dataIndex;
          const orders = `${d.orders[i]} order${d.orders[i] === 1 ? "" : "s"}`;
          return d.parcels[i] ? `${d.parcels[i]} parcel${d.parcels[i] === 1 ? "" : "s"} on ${orders}` : orders + " (not shipped yet)";
        }}}},
      },
    }),
    incidents: (d) => ({
      type: "bar",
      data: {labels: d.labels.map(shortDay), datasets: [
        {label: "Opened", data: d.opened, backgroundColor: TONES.critical, borderRadius: 3},
        {label: "Cleared", data: d.cleared, backgroundColor: TONES.success, borderRadius: 3},
      ]},
      options: {scales: {x: {...quietAxis, ticks: {maxRotation: 0, autoSkipPadding: 12}}, y: countAxis},
                plugins: {legend: {position: "bottom"}}, interaction: {mode: "index", intersect: false}},
    }),
    cases: (d) => ({
      type: "doughnut",
      data: {labels: d.labels.map((s) => s[0].toUpperCase() + s.slice(1)), datasets: [{
        data: d.counts, borderWidth: 2, borderColor: "#fff",
        backgroundColor: [TONES.attention, TONES.info, TONES.success, TONES.subdued],
      }]},
      options: {cutout: "62%", plugins: {legend: {position: "right"}}},
    }),
    on_time_by_carrier: (d) => ({
      type: "bar",
      data: {labels: d.labels, datasets: [
        {label: "On time", data: d.percent, backgroundColor: TONES.blue, borderRadius: 4, maxBarThickness: 48},
      ]},
      options: {scales: {y: percentAxis, x: quietAxis}, plugins: {legend: {display: false}, tooltip: rateTooltip(d)}},
    }),
    on_time_by_week: (d) => ({
      type: "line",
      data: {labels: d.labels.map(shortDay), datasets: [{
        label: "On time", data: d.percent, borderColor: TONES.blue, backgroundColor: TONES.blueFill, fill: true,
        tension: 0.25, pointRadius: 3, pointBackgroundColor: TONES.blue, spanGaps: true,
      }]},
      options: {scales: {y: percentAxis, x: quietAxis}, plugins: {legend: {display: false}, tooltip: rateTooltip(d)}},
    }),
  };

  document.querySelectorAll("canvas[data-chart]").forEach((canvas) => {
    const key = canvas.dataset.chart;
    if (!charts[key] || !data[key]) return;
    new Chart(canvas, charts[key](data[key]));
  });
})();
