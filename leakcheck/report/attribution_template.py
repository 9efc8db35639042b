"""A probe's native attribution section (`leakcheck run --tool`), included by the page template."""

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
