import { BarChart } from 'echarts/charts';
import { GridComponent, LegendComponent, TooltipComponent } from 'echarts/components';
import * as echarts from 'echarts/core';
import { SVGRenderer } from 'echarts/renderers';
import ReactEChartsCore from 'echarts-for-react/esm/core';

echarts.use([BarChart, GridComponent, TooltipComponent, LegendComponent, SVGRenderer]);

export interface BarSeries {
  name: string;
  values: number[];
  color: string;
}

/** Bars by category (towns, villages); no animation under test so a screenshot shows the bars. */
export default function Bars({
  categories,
  series,
  label,
}: {
  categories: string[];
  series: BarSeries[];
  label: string;
}) {
  return (
    <div role="img" aria-label={label}>
      <ReactEChartsCore
        echarts={echarts}
        style={{ height: 360 }}
        option={{
          animation: !navigator.webdriver,
          tooltip: { trigger: 'axis' },
          legend: { top: 0 },
          grid: { left: 48, right: 16, bottom: 72, top: 40 },
          xAxis: { type: 'category', data: categories, axisLabel: { rotate: 35 } },
          yAxis: { type: 'value' },
          series: series.map((s) => ({
            type: 'bar',
            name: s.name,
            data: s.values,
            itemStyle: { color: s.color },
          })),
        }}
      />
    </div>
  );
}
