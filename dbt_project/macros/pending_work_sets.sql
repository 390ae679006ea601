{#-
  Work sets that outlive a failed run. int_release_sightings_affected and
  int_person_releases_affected name what a run recomputes; models downstream of them
  (int_releases_latest, fct_release_sightings, the people tables, the work set of the marts)
  commit one by one. When a run fails halfway, the next run (Dagster retries the same
  window) cannot find all of it again from raw: a deleted arrival or a corrected title's old
  group is already gone from int_release_sightings. So a work set stays in its table until
  every model downstream of it has succeeded in one run (`clear_consumed_work_sets`, run at
  the end of every invocation), and each run adds what its table still holds (`pending`).
-#}

{#- The rows the previous run left in `model_name`'s table: every row when that run did not
    finish consuming them, none when it did (the table was emptied). -#}
{% macro pending_work_set(model_name, column_name) -%}
    {%- set previous = previous_relation(model_name) -%}
    {%- if previous is none -%}
        select cast(null as varchar) as {{ column_name }} where false
    {%- else -%}
        select {{ column_name }} from {{ previous }}
    {%- endif -%}
{%- endmacro %}

{#- on-run-end: empty each work set whose model and every model downstream of it succeeded
    in this invocation; otherwise its rows stay for the next run. -#}
{% macro clear_consumed_work_sets(results) -%}
    {%- if execute -%}
        {%- set succeeded = [] -%}
        {%- for result in results -%}
            {%- if result.status == 'success' -%}
                {%- do succeeded.append(result.node.unique_id) -%}
            {%- endif -%}
        {%- endfor -%}
        {%- set models = graph.nodes.values() | selectattr('resource_type', 'equalto', 'model') | list -%}
        {%- set statements = [] -%}
        {%- for work_set in ['int_release_sightings_affected', 'int_person_releases_affected'] -%}
            {%- set root = 'model.pressroom.' ~ work_set -%}
            {%- set downstream = [root] -%}
            {%- for _ in range(20) -%}
                {%- for node in models -%}
                    {%- if node.unique_id not in downstream -%}
                        {%- for parent in node.depends_on.nodes -%}
                            {%- if parent in downstream and node.unique_id not in downstream -%}
                                {%- do downstream.append(node.unique_id) -%}
                            {%- endif -%}
                        {%- endfor -%}
                    {%- endif -%}
                {%- endfor -%}
            {%- endfor -%}
            {%- set unfinished = [] -%}
            {%- for unique_id in downstream if unique_id not in succeeded -%}
                {%- do unfinished.append(unique_id) -%}
            {%- endfor -%}
            {%- set consumed = unfinished | length == 0 -%}
            {%- if consumed -%}
                {%- set relation = previous_relation_any(root) -%}
                {%- if relation is not none -%}
                    {%- do statements.append('delete from ' ~ relation) -%}
                {%- endif -%}
            {%- endif -%}
        {%- endfor -%}
        {{ statements | join(';\n') if statements else 'select 1' }}
    {%- endif -%}
{%- endmacro %}

{#- The relation of a model by unique id (none when it does not exist). -#}
{% macro previous_relation_any(unique_id) -%}
    {%- set node = graph.nodes[unique_id] -%}
    {{ return(adapter.get_relation(database=node.database, schema=node.schema, identifier=node.alias)) }}
{%- endmacro %}
