// The round page's chart: wishes and fulfilled ones per beneficiary group.
document.addEventListener("DOMContentLoaded", function () {
  var box = document.getElementById("round-chart");
  var source = document.getElementById("round-chart-data");
  if (!box || !source || !window.echarts) { return; }
  var data = JSON.parse(source.textContent);
  var chart = window.echarts.init(box);
  chart.setOption({
    tooltip: { trigger: "axis" },
    legend: { data: ["心愿", "已实现"] },
    grid: { left: 36, right: 12, top: 36, bottom: 28 },
    xAxis: { type: "category", data: data.groups },
    yAxis: { type: "value", minInterval: 1 },
    series: [
      { name: "心愿", type: "bar", data: data.posted, itemStyle: { color: "#adb5bd" } },
      { name: "已实现", type: "bar", data: data.fulfilled, itemStyle: { color: "#b71c1c" } }
    ]
  });
  window.addEventListener("resize", function () { chart.resize(); });
});
