// Charts of the statistics pages, drawn with ECharts from data the page carries in a
// <script type="application/json" id="chart-data"> element (the CSP forbids inline scripts;
// a JSON data block is never executed, so it is allowed).
//
// The data is {key: {type: "bar" | "hbar" | "pie", labels: [...], values: [...], unit: "人"}};
// every element with data-chart="key" becomes that chart. Charts render to canvas and show
// their tooltips as canvas text, so no inline style attribute is ever written.
(function () {
  "use strict";

  var PALETTE = ["#b71c1c", "#e57373", "#f4a261", "#2a9d8f", "#457b9d", "#264653",
                 "#e9c46a", "#6d597a", "#8d99ae", "#bc6c25", "#adb5bd"];
  var FONT = "system-ui, -apple-system, 'Segoe UI', 'PingFang SC', 'Microsoft YaHei', sans-serif";

  function pie(spec) {
    var data = [];
    for (var i = 0; i < spec.labels.length; i++) {
      if (spec.values[i]) { data.push({name: spec.labels[i], value: spec.values[i]}); }
    }
    return {
      legend: {type: "scroll", bottom: 0, itemWidth: 12, itemHeight: 12},
      tooltip: {trigger: "item", renderMode: "richText", formatter: "{b}：{c}" + spec.unit + "（{d}%）"},
      series: [{
        type: "pie", radius: ["32%", "62%"], center: ["50%", "44%"], data: data,
        avoidLabelOverlap: true, label: {formatter: "{b}\n{c}" + spec.unit}
      }]
    };
  }

  function bar(spec, horizontal) {
    var category = {
      type: "category", data: spec.labels, axisTick: {alignWithLabel: true},
      axisLabel: {interval: 0, hideOverlap: false}
    };
    var value = {type: "value", minInterval: 1, splitLine: {lineStyle: {type: "dashed"}}};
    var rotated = !horizontal && spec.labels.length > 5;
    if (rotated) { category.axisLabel.rotate = 35; }
    if (horizontal) { category.inverse = true; }
    return {
      // Rotated labels lean left of their bar: leave them room.
      grid: {left: rotated ? 36 : 8, right: 32, top: 24, bottom: 8, containLabel: true},
      tooltip: {trigger: "axis", renderMode: "richText", axisPointer: {type: "shadow"}},
      xAxis: horizontal ? value : category,
      yAxis: horizontal ? category : value,
      series: [{
        type: "bar", data: spec.values, barMaxWidth: 32, name: spec.name || "",
        label: {show: true, position: horizontal ? "right" : "top"}
      }]
    };
  }

  function draw() {
    var source = document.getElementById("chart-data");
    if (!source || !window.echarts) { return; }
    var specs = JSON.parse(source.textContent);
    var charts = [];
    var boxes = document.querySelectorAll("[data-chart]");
    Array.prototype.forEach.call(boxes, function (box) {
      var spec = specs[box.getAttribute("data-chart")];
      if (!spec) { return; }
      spec.unit = spec.unit || "";
      var option = spec.type === "pie" ? pie(spec) : bar(spec, spec.type === "hbar");
      option.color = PALETTE;
      option.animation = false;
      option.textStyle = {fontFamily: FONT};
      option.aria = {enabled: true};
      var chart = window.echarts.init(box, null, {renderer: "canvas"});
      chart.setOption(option);
      charts.push(chart);
    });
    var pending = null;
    window.addEventListener("resize", function () {
      if (pending) { window.clearTimeout(pending); }
      pending = window.setTimeout(function () {
        charts.forEach(function (chart) { chart.resize(); });
      }, 150);
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
}());
