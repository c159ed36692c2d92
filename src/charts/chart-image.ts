import { existsSync } from 'node:fs';
import { Canvas, createCanvas, GlobalFonts } from '@napi-rs/canvas';
import { Chart, ChartConfiguration, ChartItem, registerables } from 'chart.js';

Chart.register(...registerables);

/** DejaVu Sans from Debian's fonts-dejavu-core (installed by .ci/run); otherwise whatever sans the system has. */
const FONT_FILE = '/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf';
const FONT_FAMILY = 'DejaVu Sans';
if (existsSync(FONT_FILE)) GlobalFonts.registerFromPath(FONT_FILE, FONT_FAMILY);
Chart.defaults.font.family = `"${FONT_FAMILY}", sans-serif`;
Chart.defaults.font.size = 14;
Chart.defaults.color = '#222';

export const CHART_WIDTH = 1000;
export const CHART_HEIGHT = 1000;
const PANEL_HEIGHT = CHART_HEIGHT / 2;
/** Colour-blind-safe (Okabe–Ito), one per currency. */
const COLOURS = ['#0072B2', '#E69F00', '#009E73', '#CC79A7', '#56B4E9', '#D55E00', '#F0E442', '#000000'];

/** Amounts for drawing only: exact strings become numbers here, never in any sum. */
export interface ChartData {
  /** "2026-11-01 – 2026-11-27" or "all time". */
  period: string;
  /** Only this category, when the chart is filtered. */
  category?: string;
  categories: string[];
  /** Per currency, the amount of each category (same order as categories). */
  byCategory: Array<{ currency: string; amounts: number[] }>;
  /** Trend: bucket labels (days or months) and, per currency, the amount in each bucket. */
  buckets: string[];
  trend: Array<{ currency: string; amounts: number[] }>;
}

/** Two panels in one PNG: spending per category (bars), then over time (lines); a series per currency. */
export function renderChart(data: ChartData): Buffer {
  const image = createCanvas(CHART_WIDTH, CHART_HEIGHT);
  const context = image.getContext('2d');
  context.fillStyle = '#ffffff';
  context.fillRect(0, 0, CHART_WIDTH, CHART_HEIGHT);
  const scope = data.category ? `${data.category}, ` : '';
  drawPanel(barsConfig(data, `Spending per category (${scope}${data.period})`), (panel) =>
    context.drawImage(panel, 0, 0),
  );
  drawPanel(trendConfig(data, `Spending over time (${scope}${data.period})`), (panel) =>
    context.drawImage(panel, 0, PANEL_HEIGHT),
  );
  return image.toBuffer('image/png');
}

/** Renders one chart and hands over its canvas before the chart is destroyed (destroying clears it). */
function drawPanel(config: ChartConfiguration, use: (panel: Canvas) => void): void {
  const canvas = createCanvas(CHART_WIDTH, PANEL_HEIGHT);
  // Chart.js draws on any 2D context; @napi-rs/canvas's is close enough to the browser's for it.
  const chart = new Chart(canvas.getContext('2d') as unknown as ChartItem, config);
  try {
    use(canvas);
  } finally {
    chart.destroy();
  }
}

const common = (title: string, empty: boolean) => ({
  responsive: false,
  animation: false as const,
  devicePixelRatio: 1,
  layout: { padding: 16 },
  plugins: {
    title: {
      display: true,
      text: empty ? `${title}: no expenses` : title,
      font: { size: 20, weight: 'bold' as const },
    },
    legend: { display: true, position: 'top' as const },
  },
  scales: { y: { beginAtZero: true, title: { display: true, text: 'amount' } } },
});

function barsConfig(data: ChartData, title: string): ChartConfiguration {
  return {
    type: 'bar',
    data: {
      labels: data.categories,
      datasets: data.byCategory.map((series, i) => ({
        label: series.currency,
        data: series.amounts,
        backgroundColor: COLOURS[i % COLOURS.length],
      })),
    },
    options: common(title, data.categories.length === 0),
  };
}

function trendConfig(data: ChartData, title: string): ChartConfiguration {
  return {
    type: 'line',
    data: {
      labels: data.buckets,
      datasets: data.trend.map((series, i) => ({
        label: series.currency,
        data: series.amounts,
        borderColor: COLOURS[i % COLOURS.length],
        backgroundColor: COLOURS[i % COLOURS.length],
        borderWidth: 3,
        pointRadius: data.buckets.length > 60 ? 0 : 3,
        tension: 0,
      })),
    },
    options: {
      ...common(title, data.buckets.length === 0),
      scales: { ...common(title, false).scales, x: { ticks: { maxTicksLimit: 16 } } },
    },
  };
}
