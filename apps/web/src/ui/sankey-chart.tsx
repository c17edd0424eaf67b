import { SankeyChart } from 'echarts/charts';
import { TooltipComponent } from 'echarts/components';
import * as echarts from 'echarts/core';
import { CanvasRenderer } from 'echarts/renderers';
import ReactEChartsCore from 'echarts-for-react/esm/core';
import { yuan } from '../format.util';

echarts.use([SankeyChart, TooltipComponent, CanvasRenderer]);

/**
 * A Sankey diagram of fen flowing between named nodes, drawn on a canvas (many nodes and curved
 * links draw faster there than in SVG). The page shows the same flows as a table for screen
 * readers; `data-flows` says how many are drawn. No animation under test.
 */
export default function Sankey({
  flows,
  label,
}: {
  flows: { from: string; to: string; fen: number }[];
  label: string;
}) {
  const names = [...new Set(flows.flatMap((flow) => [flow.from, flow.to]))];
  return (
    <div role="img" aria-label={label} data-testid="sankey" data-flows={flows.length}>
      <ReactEChartsCore
        echarts={echarts}
        style={{ height: Math.max(360, names.length * 28) }}
        option={{
          animation: !navigator.webdriver,
          tooltip: {
            trigger: 'item',
            formatter: (p: {
              dataType?: string;
              data: { source?: string; target?: string };
              name: string;
              value: number;
            }) =>
              p.dataType === 'edge'
                ? `${p.data.source} → ${p.data.target}: ${yuan(p.value)}`
                : `${p.name}: ${yuan(p.value)}`,
          },
          series: [
            {
              type: 'sankey',
              left: 8,
              right: 160,
              top: 8,
              bottom: 8,
              nodeAlign: 'left',
              emphasis: { focus: 'adjacency' },
              lineStyle: { color: 'gradient', curveness: 0.5, opacity: 0.4 },
              label: { color: '#262626' },
              data: names.map((name) => ({ name })),
              links: flows.map((flow) => ({ source: flow.from, target: flow.to, value: flow.fen })),
            },
          ],
        }}
      />
    </div>
  );
}
