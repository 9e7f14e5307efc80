import PDFDocument from 'pdfkit';
import type { reports } from '@centralita/store';

type Language = 'es' | 'en';

const words: Readonly<Record<Language, Readonly<Record<string, string>>>> = {
  es: {
    title: 'Informe de contactos',
    period: 'Periodo',
    timeZone: 'Zona horaria',
    granularity: 'Intervalo',
    filters: 'Filtros',
    none: 'ninguno',
    total: 'Total del periodo',
    lines: 'Detalle',
    interval: 'Intervalo',
    group: 'Grupo',
    offered: 'Ofrecidas',
    answered: 'Atendidas',
    abandoned: 'Abandonadas',
    serviceLevel: 'Nivel de servicio',
    asa: 'Tiempo medio de respuesta',
    aht: 'Tiempo medio de gestión',
    acw: 'Poscontacto medio',
    abandonmentRate: 'Tasa de abandono',
    costPerContact: 'Coste por contacto',
    handled: 'Gestionadas',
    generated: 'Generado',
    more: 'y {n} líneas más en el CSV',
    to: 'a',
  },
  en: {
    title: 'Contact report',
    period: 'Period',
    timeZone: 'Time zone',
    granularity: 'Interval',
    filters: 'Filters',
    none: 'none',
    total: 'Total for the period',
    lines: 'Detail',
    interval: 'Interval',
    group: 'Group',
    offered: 'Offered',
    answered: 'Answered',
    abandoned: 'Abandoned',
    serviceLevel: 'Service level',
    asa: 'Average speed of answer',
    aht: 'Average handle time',
    acw: 'Average after-call work',
    abandonmentRate: 'Abandonment rate',
    costPerContact: 'Cost per contact',
    handled: 'Handled',
    generated: 'Generated',
    more: 'and {n} more lines in the CSV',
    to: 'to',
  },
};

/** Lines a PDF holds before it points to the CSV for the rest. */
const maxPdfLines = 400;

function duration(ms: number | null): string {
  if (ms === null) return '—';
  const total = Math.round(ms / 1000);
  const minutes = Math.floor(total / 60);
  return `${String(minutes)}:${String(total % 60).padStart(2, '0')}`;
}

function share(value: number | null): string {
  return value === null ? '—' : `${String(Math.round(value * 100))} %`;
}

/** An amount in minor units of `currency` as the reader writes money (2 decimals for EUR, none for JPY). */
function money(minor: number, currency: string, language: Language): string {
  const format = new Intl.NumberFormat(language === 'es' ? 'es-ES' : 'en-GB', {
    style: 'currency',
    currency,
  });
  return format.format(minor / 10 ** (format.resolvedOptions().maximumFractionDigits ?? 2));
}

/**
 * A report as a printable PDF (A4, the built-in Helvetica): title, period, time zone, interval and filters,
 * the headline figures of the whole selection (cost per contact when there is one), then one row per line (interval and group) with the main
 * figures. Figures are the report's own (docs/metrics.md); long reports stop after 400 lines and say so.
 */
export function reportPdf(
  report: reports.SummaryReport,
  options: {
    readonly language: Language;
    readonly filters: Readonly<Record<string, string>>;
    readonly now: Date;
  },
): Promise<Buffer> {
  const w = words[options.language];
  const doc = new PDFDocument({ size: 'A4', margin: 40, info: { Title: w.title ?? '' } });
  const chunks: Buffer[] = [];
  doc.on('data', (chunk: Buffer) => chunks.push(chunk));
  const done = new Promise<Buffer>((resolve) => {
    doc.on('end', () => {
      resolve(Buffer.concat(chunks));
    });
  });
  // Dates as the report's wall clock reads them (en-CA writes YYYY-MM-DD).
  const localDate = new Intl.DateTimeFormat('en-CA', {
    timeZone: report.timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
  });
  const lastDay = new Date(report.to.getTime() - 1);
  doc
    .font('Helvetica-Bold')
    .fontSize(18)
    .text(w.title ?? '');
  doc.moveDown(0.5).font('Helvetica').fontSize(10);
  doc.text(`${w.period}: ${localDate.format(report.from)} ${w.to ?? ''} ${localDate.format(lastDay)}`);
  doc.text(`${w.timeZone}: ${report.timeZone} · ${w.granularity}: ${report.granularity}`);
  const filterText = Object.entries(options.filters)
    .map(([name, value]) => `${name}=${value}`)
    .join(', ');
  doc.text(`${w.filters}: ${filterText === '' ? (w.none ?? '') : filterText}`);
  doc.text(`${w.generated}: ${options.now.toISOString()}`);

  const f = report.total.figures;
  doc
    .moveDown()
    .font('Helvetica-Bold')
    .fontSize(12)
    .text(w.total ?? '');
  doc.font('Helvetica').fontSize(10);
  for (const [label, value] of [
    [w.offered, String(f.offered)],
    [w.answered, String(f.answered)],
    [w.abandoned, String(f.abandoned)],
    [w.serviceLevel, share(f.serviceLevelOfOffered)],
    [w.asa, duration(f.averageSpeedOfAnswerMs)],
    [w.aht, duration(f.averageHandleTimeMs)],
    [w.acw, duration(f.averageWrapUpMs)],
    [w.abandonmentRate, share(f.abandonmentRate)],
    // Only when the tenant configured its rates and the selection holds agent time (docs/metrics.md).
    ...(f.costPerContactMinor === null
      ? []
      : [[w.costPerContact, money(f.costPerContactMinor, report.currency, options.language)] as const]),
  ] as const)
    doc.text(`${label ?? ''}: ${value}`);

  doc
    .moveDown()
    .font('Helvetica-Bold')
    .fontSize(12)
    .text(w.lines ?? '');
  const columns = [
    { title: w.interval ?? '', width: 105 },
    { title: w.group ?? '', width: 130 },
    { title: w.offered ?? '', width: 55 },
    { title: w.answered ?? '', width: 55 },
    { title: w.abandoned ?? '', width: 60 },
    { title: w.serviceLevel ?? '', width: 55 },
    { title: w.aht ?? '', width: 55 },
  ];
  const row = (cells: readonly string[], isHeader: boolean): void => {
    if (doc.y > doc.page.height - 60) doc.addPage();
    const y = doc.y;
    let x = doc.page.margins.left;
    doc.font(isHeader ? 'Helvetica-Bold' : 'Helvetica').fontSize(8);
    cells.forEach((cell, index) => {
      const width = columns[index]?.width ?? 50;
      doc.text(cell, x, y, { width: width - 4, lineBreak: false, ellipsis: true });
      x += width;
    });
    doc.x = doc.page.margins.left;
    doc.y = y + 12;
  };
  row(
    columns.map((column) => column.title),
    true,
  );
  for (const line of report.lines.slice(0, maxPdfLines)) {
    const group = [line.queueName, line.agentName, line.channel, line.direction].filter(
      (part) => part !== null,
    );
    row(
      [
        `${line.label.date} ${line.label.time}`,
        group.join(' · ') || '—',
        String(line.figures.offered),
        String(line.figures.answered),
        String(line.figures.abandoned),
        share(line.figures.serviceLevelOfOffered),
        duration(line.figures.averageHandleTimeMs),
      ],
      false,
    );
  }
  if (report.lines.length > maxPdfLines)
    doc.moveDown().text((w.more ?? '').replace('{n}', String(report.lines.length - maxPdfLines)));
  doc.end();
  return done;
}
