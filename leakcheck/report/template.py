"""The page: one self-contained HTML file (inline CSS, charts as inline SVG, no script, no network)."""

PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<title>{{ view.title }}</title>
<style>
body { font: 14px/1.4 system-ui, sans-serif; margin: 1.5em auto; max-width: 1100px; color: #222; padding: 0 1em; }
h1 { font-size: 1.5em; } h2 { font-size: 1.2em; margin-top: 2em; border-bottom: 1px solid #ccc; }
table { border-collapse: collapse; width: 100%; margin: .5em 0; }
th, td { border: 1px solid #ddd; padding: 3px 6px; text-align: left; vertical-align: top; }
th { background: #f3f3f3; }
.outcome { font-weight: bold; white-space: nowrap; }
.failed { color: #b00020; } .passed { color: #1b7a2e; }
.counts span { margin-right: 1em; }
pre { background: #f7f7f7; border: 1px solid #e3e3e3; padding: .5em; overflow-x: auto; max-height: 30em;
      white-space: pre-wrap; font-size: 12px; }
svg.chart { max-width: 100%; height: auto; display: block; margin: .5em 0; }
ul.reasons li.failed { font-weight: bold; }
.regression { color: #b00020; font-weight: bold; }
ol.stack { font: 12px monospace; margin: .3em 0; } ol.stack li.subject { font-weight: bold; } p.note { color: #555; }
</style>
</head>
<body>
<h1>{{ view.title }}</h1>
{% if view.probes %}<p class="counts">suite {{ view.suite }}{% if not view.complete %} — <strong class="failed">incomplete run</strong>{% endif %}:
{% for outcome, count in view.counts %}<span class="{{ 'passed' if outcome in passing else 'failed' }}">{{ outcome }} {{ count }}</span>{% endfor %}</p>{% endif %}
{% if view.regressions %}<p class="regression">Regressions across runs: {{ view.regressions | join(", ") }}</p>{% endif %}

{% if view.probes %}<h2>Summary</h2>
<table id="summary">
<tr><th>probe</th><th>language</th><th>outcome</th><th>key figure</th><th>duration</th><th>reason</th></tr>
{% for probe in view.probes %}
<tr><td><a href="#{{ probe.anchor }}">{{ probe.name }}</a></td><td>{{ probe.lang }}</td>
<td class="outcome {{ 'passed' if probe.passed else 'failed' }}">{{ probe.outcome }}</td>
<td>{{ probe.key_figure }}</td><td>{{ "%.1f" | format(probe.duration_s) }} s</td><td>{{ probe.reasons[0] }}</td></tr>
{% endfor %}
</table>{% endif %}

{% for probe in view.probes %}
<section id="{{ probe.anchor }}">
<h2>{{ probe.name }} <span class="outcome {{ 'passed' if probe.passed else 'failed' }}">{{ probe.outcome }}</span></h2>
<p>{{ probe.lang }} · peak RSS {{ probe.peak_rss }} · {{ "%.1f" | format(probe.duration_s) }} s
{% if probe.attempts > 1 %}· {{ probe.attempts }} attempts (the last is shown){% endif %}</p>
<ul class="reasons">{% for reason in probe.reasons %}<li>{{ reason }}</li>{% endfor %}</ul>
{% if probe.failure %}
<h3>{{ probe.failure.kind }}: {{ probe.failure.title }}, in phase {{ probe.failure.phase }}</h3>
{% if probe.failure.stacks %}<pre class="stacks">{{ probe.failure.stacks }}</pre>{% endif %}
{% endif %}
{% if probe.attribution %}{% include "attribution" %}{% endif %}
{% if probe.sites %}{% include "sites" %}{% endif %}
{{ charts[probe.anchor] }}
{% if probe.trend | length > 1 %}<h3>Across runs</h3>
{{ trend_charts[probe.anchor] }}
<table><tr><th>run</th><th>commit</th><th>outcome</th><th>peak RSS</th><th>slope (B/iter)</th><th>duration</th></tr>
{% for point in probe.trend %}<tr{% if point.regression %} class="regression"{% endif %}><td>{{ point.run_id }}</td><td>{{ point.commit[:10] }}</td>
<td>{{ point.outcome }}</td><td>{{ point.peak_rss | bytes }}</td>
<td>{{ "—" if point.slope is none else "%.1f" | format(point.slope) }}</td><td>{{ "%.1f" | format(point.duration_s) }} s</td></tr>{% endfor %}
</table>{% endif %}
{% if probe.checks %}<table><tr><th>check</th><th>value op limit</th><th>ok</th></tr>
{% for name, figure, ok in probe.checks %}<tr><td>{{ name }}</td><td>{{ figure }}</td>
<td class="{{ 'passed' if ok else 'failed' }}">{{ "yes" if ok else "no" }}</td></tr>{% endfor %}</table>{% endif %}
{% if probe.output_tail and not probe.passed %}
<h3>Output tail</h3><pre class="output">{{ probe.output_tail }}</pre>
{% endif %}
</section>
{% endfor %}

{% if view.mutation %}{% include "mutation" %}{% endif %}

<h2>Provenance</h2>
<table id="provenance">{% for label, value in view.provenance %}<tr><th>{{ label }}</th><td>{{ value }}</td></tr>{% endfor %}</table>
</body>
</html>
"""
