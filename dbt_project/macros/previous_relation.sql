{#-
  The relation a mart model left behind in the previous run, or none (first run, full
  refresh, or not executing). Intermediate models use it to find what an incremental run
  must recompute (see models/intermediate/_intermediate.yml). It deliberately does not
  ref() the mart, which would be a cycle: it reads the mart as it was *before* this run.
-#}
{% macro previous_relation(model_name) -%}
    {%- if not execute or flags.FULL_REFRESH -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set nodes = graph.nodes.values() | selectattr('resource_type', 'equalto', 'model')
                                         | selectattr('name', 'equalto', model_name) | list -%}
    {%- if nodes | length != 1 -%}
        {{ exceptions.raise_compiler_error("previous_relation: no model named " ~ model_name) }}
    {%- endif -%}
    {%- set node = nodes[0] -%}
    {{ return(adapter.get_relation(database=node.database, schema=node.schema, identifier=node.alias)) }}
{%- endmacro %}
