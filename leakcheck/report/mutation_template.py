"""The mutation score's section of the page (included by the page template when the view carries one)."""

MUTATION_SECTION = """{% set mutation = view.mutation %}<section id="mutation">
<h2>{{ mutation.title }} <span class="outcome {{ 'passed' if mutation.passed else 'failed' }}">{{ "every mutant caught" if mutation.passed else "holes" }}</span></h2>
<p>leakcheck mutants · {{ mutation.mode }} · suite {{ mutation.suite }} · {{ "%.1f" | format(mutation.wall_s) }} s wall
{% if mutation.commit %}· commit {{ mutation.commit[:10] }}{% endif %}{% if mutation.time %} · {{ mutation.time }}{% endif %}</p>
{% for note in mutation.notes %}<p class="failed">{{ note }}</p>{% endfor %}
<table id="mutation-scores"><tr><th>language</th><th>mutants caught</th><th>score</th><th>holes</th></tr>
{% for score in mutation.scores %}<tr><td>{{ score.lang }}</td><td>{{ score.caught }}/{{ score.total }}</td>
<td class="outcome {{ 'failed' if score.holes else 'passed' }}">{{ "%.0f" | format(score.percent) }}%</td>
<td>{{ score.holes | join(", ") or "none" }}</td></tr>{% endfor %}
</table>
{% if mutation.production_failures %}<h3>Not passing on the production library</h3>
<table><tr><th>probe</th><th>outcome</th><th>reason</th></tr>
{% for probe, outcome, reason in mutation.production_failures %}<tr><td>{{ probe }}</td>
<td class="outcome failed">{{ outcome }}</td><td>{{ reason }}</td></tr>{% endfor %}</table>{% endif %}
{% if mutation.rows %}<table id="mutation-matrix"><tr><th>mutant</th>{% for lang in mutation.languages %}<th>{{ lang }}</th>{% endfor %}</tr>
{% for row in mutation.rows %}<tr><td><strong>{{ row.name }}</strong><br>{{ row.description }}</td>
{% for cell in row.cells %}<td>{% if cell.caught %}{% for catch in cell.catches %}<div title="{{ catch.signals }}"><span class="passed">{{ catch.probe }}</span>: {{ catch.kinds }}</div>{% endfor %}
{% elif cell.status == "hole" %}<span class="outcome failed">HOLE</span>: none of {{ cell.ran }} probe(s) caught it
{% else %}<span class="failed">{{ cell.status }}</span>{% endif %}</td>{% endfor %}</tr>{% endfor %}
</table>{% endif %}
</section>
"""
