// The offline map of the 15-minute circle: the street's outline, its roads, the service
// points, circles and buildings, drawn by the vendored ECharts on a plain lng/lat plane from
// the data the page carries (<script type="application/json" id="circle-map-data">). No
// tiles, no request leaves the app. Tooltips are canvas text (the CSP forbids inline styles).
(function () {
  "use strict";

  var FONT = "system-ui, -apple-system, 'Segoe UI', 'PingFang SC', 'Microsoft YaHei', sans-serif";

  function segments(rows) {
    var out = [];
    for (var i = 0; i < rows.length; i++) {
      var r = rows[i];
      out.push({coords: [[r[0], r[1]], [r[2], r[3]]]});
    }
    return out;
  }

  function places(rows, withHouseholds) {
    var out = [];
    for (var i = 0; i < rows.length; i++) {
      var r = rows[i];
      var item = {name: r[2], value: [r[0], r[1]]};
      if (withHouseholds) { item.households = r[3]; }
      out.push(item);
    }
    return out;
  }

  function scatter(name, rows, color, size, symbol, withHouseholds, z) {
    return {
      type: "scatter", name: name, coordinateSystem: "geo", data: places(rows || [], withHouseholds),
      symbol: symbol || "circle", symbolSize: size, itemStyle: {color: color}, z: z || 3,
      large: (rows || []).length > 1500
    };
  }

  function draw() {
    var source = document.getElementById("circle-map-data");
    var box = document.getElementById("circle-map");
    if (!source || !box || !window.echarts) { return; }
    var data = JSON.parse(source.textContent);
    if (!data.outline || data.outline.length < 4) { return; }
    var lat0 = data.center ? data.center[1] : data.outline[0][1];
    echarts.registerMap("gongjian-street", {
      type: "FeatureCollection",
      features: [{type: "Feature", properties: {name: "街道范围"},
                  geometry: {type: "Polygon", coordinates: [data.outline]}}]
    });
    var series = [
      {type: "lines", name: "道路", coordinateSystem: "geo", data: segments(data.roads || []),
       lineStyle: {color: "#adb5bd", width: 1, opacity: 0.9}, silent: true, z: 1,
       large: (data.roads || []).length > 2000}
    ];
    if (data.reached && data.reached.length) {
      series.push({type: "lines", name: "步行可达道路", coordinateSystem: "geo",
                   data: segments(data.reached), silent: true, z: 2,
                   lineStyle: {color: "#2a9d8f", width: 2.5, opacity: 0.9}});
    }
    var circles = data.circles || (data.circle ? [data.circle] : []);
    if (circles.length) {
      series.push({type: "lines", name: "直线参考圈", coordinateSystem: "geo", polyline: true,
                   silent: true, z: 2,
                   data: circles.map(function (ring) { return {coords: ring}; }),
                   lineStyle: {color: "#b71c1c", width: 1.2, type: "dashed", opacity: 0.7}});
    }
    series.push(scatter("圈内楼栋", data.inside, "#2a9d8f", 7, "circle", true));
    series.push(scatter(data.inside ? "圈外楼栋" : "未覆盖楼栋", data.outside,
                        data.inside ? "#8d99ae" : "#e63946", 7, "circle", true));
    series.push(scatter("驻区单位", data.units, "#457b9d", 9, "diamond", false, 4));
    series.push(scatter("建议新设点位", data.suggested, "#f4a261", 16, "triangle", true, 5));
    series.push(scatter("服务点", data.points, "#b71c1c", 18, "pin", false, 6));
    series = series.filter(function (s) { return s.type !== "scatter" || s.data.length; });

    var chart = echarts.init(box, null, {renderer: "canvas"});
    chart.setOption({
      animation: false,
      textStyle: {fontFamily: FONT},
      legend: {bottom: 0, type: "scroll", itemWidth: 14, itemHeight: 10,
               data: series.map(function (s) { return s.name; })},
      tooltip: {
        trigger: "item", renderMode: "richText",
        formatter: function (p) {
          var text = p.name || p.seriesName;
          if (p.data && p.data.households !== undefined) {
            text += "\n" + p.data.households + " 户";
          }
          return text;
        }
      },
      geo: {
        map: "gongjian-street", roam: true, silent: true, aspectScale: Math.cos(lat0 * Math.PI / 180),
        // layoutCenter/layoutSize keep the aspect (left/right/top/bottom would stretch the
        // plane and turn circles into ellipses).
        layoutCenter: ["50%", "46%"], layoutSize: "88%",
        itemStyle: {areaColor: "#fbf7f4", borderColor: "#b71c1c", borderWidth: 1, borderType: "dashed"},
        label: {show: false}, emphasis: {disabled: true}
      },
      series: series
    });
    box.setAttribute("data-drawn", "1");
    window.addEventListener("resize", function () { chart.resize(); });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
})();
