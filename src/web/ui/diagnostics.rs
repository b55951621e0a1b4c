//! Every warning and error, each linked to its message (or the message nearest its frame).

use rtmpscope::diagnostic::Severity;
use yew::prelude::*;

use super::model::Data;

#[derive(Properties, PartialEq)]
pub struct DiagnosticsProps {
    pub data: Data,
    pub on_jump: Callback<u64>,
}

#[function_component(DiagnosticsList)]
pub fn diagnostics_list(props: &DiagnosticsProps) -> Html {
    let data = &props.data;
    let diagnostics = &data.report.diagnostics;
    html! {
        <main class="diagnostics" data-testid="diagnostics">
            if diagnostics.is_empty() {
                <p class="muted">{ "No diagnostics: nothing looked wrong in this capture." }</p>
            } else {
                <table class="grid-table">
                    <thead><tr>
                        <th>{ "severity" }</th><th>{ "code" }</th><th>{ "what" }</th>
                        <th class="num">{ "frame" }</th><th class="num">{ "conn" }</th>
                        <th>{ "message" }</th>
                    </tr></thead>
                    <tbody>
                    { for diagnostics.iter().map(|d| {
                        let target = d.at.message.or_else(|| {
                            d.at.frame.and_then(|f| data.message_near_frame(f, d.at.conn))
                        });
                        let link = target.map(|index| {
                            let on_jump = props.on_jump.clone();
                            let label = if d.at.message.is_some() {
                                format!("#{index}")
                            } else {
                                format!("near #{index}")
                            };
                            html! {
                                <a href="#" class="link" onclick={Callback::from(move |e: MouseEvent| {
                                    e.prevent_default();
                                    on_jump.emit(index);
                                })}>{ label }</a>
                            }
                        });
                        let severity = match d.severity {
                            Severity::Error => "error",
                            Severity::Warning => "warning",
                            Severity::Info => "info",
                        };
                        html! {
                            <tr class={format!("sev-{severity}")} data-testid="diagnostic">
                                <td><span class={classes!("badge", severity)}>{ severity }</span></td>
                                <td class="mono">{ &d.code }</td>
                                <td>{ &d.text }</td>
                                <td class="num">{ d.at.frame.map(|f| f.to_string()).unwrap_or_default() }</td>
                                <td class="num">{ d.at.conn.map(|c| c.to_string()).unwrap_or_default() }</td>
                                <td>{ link.unwrap_or_default() }</td>
                            </tr>
                        }
                    }) }
                    </tbody>
                </table>
            }
        </main>
    }
}
