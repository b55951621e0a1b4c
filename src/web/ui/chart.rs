//! Bitrate over time of one message stream: audio, video, data and total in kbit/s per bucket,
//! keyframe markers, and the values of the bucket under the pointer.

use rtmpscope::analysis::{BitrateBucket, BitrateSeries};
use web_sys::{Element, MouseEvent};
use yew::prelude::*;

use super::format;

const WIDTH: f64 = 900.0;
const HEIGHT: f64 = 170.0;
const LEFT: f64 = 80.0;
const RIGHT: f64 = 12.0;
const TOP: f64 = 14.0;
const BOTTOM: f64 = 22.0;

#[derive(Properties, PartialEq)]
pub struct ChartProps {
    pub series: BitrateSeries,
    pub title: String,
}

/// A round axis maximum at or above `v`: 1, 2 or 5 times a power of ten.
pub fn nice_ceiling(v: f64) -> f64 {
    if v <= 0.0 || !v.is_finite() {
        return 1.0;
    }
    let power = 10f64.powf(v.log10().floor());
    for m in [1.0, 2.0, 5.0, 10.0] {
        if m * power >= v {
            return m * power;
        }
    }
    10.0 * power
}

/// Seconds between x-axis labels so that at most about ten fit.
fn tick_step(total_secs: f64) -> f64 {
    [
        1.0, 2.0, 5.0, 10.0, 15.0, 30.0, 60.0, 120.0, 300.0, 600.0, 1800.0, 3600.0,
    ]
    .into_iter()
    .find(|s| total_secs / s <= 10.0)
    .unwrap_or(7200.0)
}

struct Geometry {
    buckets: usize,
    max_kbps: f64,
    bucket_secs: f64,
}

impl Geometry {
    fn plot_width(&self) -> f64 {
        WIDTH - LEFT - RIGHT
    }
    fn x(&self, bucket: f64) -> f64 {
        LEFT + (bucket + 0.5) * self.plot_width() / self.buckets.max(1) as f64
    }
    fn y(&self, kbps: f64) -> f64 {
        let plot = HEIGHT - TOP - BOTTOM;
        TOP + plot - (kbps / self.max_kbps).min(1.0) * plot
    }
}

fn points(g: &Geometry, series: &BitrateSeries, value: impl Fn(&BitrateBucket) -> u64) -> String {
    let mut out = String::with_capacity(series.buckets.len() * 12);
    for (i, b) in series.buckets.iter().enumerate() {
        let y = g.y(series.kbps(value(b)));
        out.push_str(&format!("{:.1},{:.1} ", g.x(i as f64), y));
    }
    out
}

#[function_component(BitrateChart)]
pub fn bitrate_chart(props: &ChartProps) -> Html {
    let hover = use_state(|| None::<usize>);
    let series = &props.series;
    let g = Geometry {
        buckets: series.buckets.len(),
        max_kbps: nice_ceiling(series.peak_kbps()),
        bucket_secs: f64::from(series.bucket_ms) / 1000.0,
    };
    let onmousemove = {
        let hover = hover.clone();
        let buckets = g.buckets;
        Callback::from(move |e: MouseEvent| {
            let Some(target) = e.current_target() else {
                return;
            };
            let Ok(svg) = wasm_bindgen::JsCast::dyn_into::<Element>(target) else {
                return;
            };
            let rect = svg.get_bounding_client_rect();
            if rect.width() <= 0.0 {
                return;
            }
            let x = (f64::from(e.client_x()) - rect.left()) / rect.width() * WIDTH;
            let fraction = (x - LEFT) / (WIDTH - LEFT - RIGHT);
            let bucket = (fraction * buckets as f64).floor();
            let next = (bucket >= 0.0 && (bucket as usize) < buckets).then_some(bucket as usize);
            if *hover != next {
                hover.set(next);
            }
        })
    };
    let onmouseleave = {
        let hover = hover.clone();
        Callback::from(move |_| hover.set(None))
    };
    let total_secs = g.buckets as f64 * g.bucket_secs;
    let step = tick_step(total_secs);
    let x_ticks: Vec<f64> = (0..)
        .map(|i| f64::from(i) * step)
        .take_while(|t| *t <= total_secs)
        .collect();
    let y_ticks = [0.0, g.max_kbps / 2.0, g.max_kbps];
    let keyframes: Vec<usize> = series
        .buckets
        .iter()
        .enumerate()
        .filter(|(_, b)| b.keyframes > 0)
        .map(|(i, _)| i)
        .collect();
    let readout = match (*hover).and_then(|i| series.buckets.get(i).map(|b| (i, b))) {
        Some((i, b)) => format!(
            "t = {:.0}–{:.0} s · total {} · video {} · audio {} · data {} · {} keyframe{}",
            i as f64 * g.bucket_secs,
            (i + 1) as f64 * g.bucket_secs,
            format::kbps(series.kbps(b.total_bytes())),
            format::kbps(series.kbps(b.video_bytes)),
            format::kbps(series.kbps(b.audio_bytes)),
            format::kbps(series.kbps(b.data_bytes)),
            b.keyframes,
            if b.keyframes == 1 { "" } else { "s" }
        ),
        None => format!(
            "avg {} · peak {} · {} keyframes · hover for values",
            format::kbps(series.average_kbps()),
            format::kbps(series.peak_kbps()),
            keyframes
                .iter()
                .map(|&i| series.buckets[i].keyframes)
                .sum::<u32>()
        ),
    };
    html! {
        <figure class="chart">
            <figcaption>
                <span class="chart-title">{ &props.title }</span>
                <span class="legend">
                    <i class="sw s-total" />{ "total" }<i class="sw s-video" />{ "video" }
                    <i class="sw s-audio" />{ "audio" }<i class="sw s-data" />{ "data" }
                    <i class="sw s-key" />{ "keyframe" }
                </span>
                <span class="readout num" data-testid="chart-readout">{ readout }</span>
            </figcaption>
            <svg viewBox={format!("0 0 {WIDTH} {HEIGHT}")} data-testid="bitrate-chart"
                 data-buckets={g.buckets.to_string()} {onmousemove} {onmouseleave}
                 role="img" aria-label={format!("bitrate of {}", props.title)}>
                { for y_ticks.iter().map(|&k| html! {
                    <g class="axis">
                        <line x1={LEFT.to_string()} x2={(WIDTH - RIGHT).to_string()}
                              y1={g.y(k).to_string()} y2={g.y(k).to_string()} class="grid" />
                        <text x={(LEFT - 4.0).to_string()} y={(g.y(k) + 4.0).to_string()}
                              text-anchor="end">{ format::kbps(k) }</text>
                    </g>
                }) }
                { for x_ticks.iter().map(|&t| {
                    let x = LEFT + t / total_secs.max(f64::MIN_POSITIVE) * g.plot_width();
                    html! {
                        <text class="axis" x={x.to_string()} y={(HEIGHT - 6.0).to_string()}
                              text-anchor="middle">{ format!("{t:.0} s") }</text>
                    }
                }) }
                <polyline class="s-data" points={points(&g, series, |b| b.data_bytes)} />
                <polyline class="s-audio" points={points(&g, series, |b| b.audio_bytes)} />
                <polyline class="s-video" points={points(&g, series, |b| b.video_bytes)} />
                <polyline class="s-total" data-testid="chart-total"
                          points={points(&g, series, BitrateBucket::total_bytes)} />
                { for keyframes.iter().map(|&i| html! {
                    <path class="s-key" d={format!("M{:.1} {:.1} l-3.5 -6 h7 z", g.x(i as f64), TOP + 6.0)} />
                }) }
                { (*hover).map(|i| html! {
                    <line class="cursor" x1={g.x(i as f64).to_string()} x2={g.x(i as f64).to_string()}
                          y1={TOP.to_string()} y2={(HEIGHT - BOTTOM).to_string()} />
                }).unwrap_or_default() }
            </svg>
        </figure>
    }
}
