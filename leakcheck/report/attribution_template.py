"""A probe's attribution sections, included by the page template: native (`leakcheck run --tool`) and the
Python allocation sites of a LEAK (tracemalloc)."""

ATTRIBUTION_SECTION = """{% set tool = probe.attribution %}<div class="attribution">
<h3>Under {{ tool.tool }}</h3>
{% if tool.problem %}<p class="failed">{{ tool.problem }}</p>{% endif %}
{% if tool.totals %}<p>Through the code under test: {% for kind, size, blocks in tool.totals %}{{ kind }} {{ size }} in {{ blocks }} block(s){% if not loop.last %}; {% endif %}{% endfor %}</p>
{% else %}<p class="passed">Nothing lost through the code under test.</p>{% endif %}
{% for block in tool.blocks + tool.fds %}<details{% if loop.first %} open{% endif %}><summary><strong>{{ block.title }}</strong>, {{ block.verb }} <code>{{ block.allocated_in }}</code></summary>
<ol class="stack">{% for frame in block.frames %}<li{% if frame.in_subject %} class="subject"{% endif %}>{{ frame.text }}</li>{% endfor %}</ol></details>
{% endfor %}
{% if tool.more %}<p>{{ tool.more }} more record(s) in the results JSON.</p>{% endif %}
{% for note in [tool.fd_note, tool.other] if note %}<p class="note">{{ note }}</p>{% endfor %}
</div>
"""

SITES_SECTION = """{% set sites = probe.sites %}<div class="attribution sites">
<h3>{{ sites.title }}</h3>
<p>{{ sites.summary }}</p>
{% if sites.sites %}<table><tr><th>site</th><th>per iteration</th><th>over the measure phase</th></tr>
{% for site in sites.sites %}<tr><td><code>{{ site.where }}</code></td><td>{{ site.per_iteration }}</td><td>{{ site.growth }}</td></tr>
{% endfor %}</table>{% endif %}
{% if sites.directory %}<p class="note">The re-run's logs: <code>{{ sites.directory }}</code></p>{% endif %}
</div>
"""
