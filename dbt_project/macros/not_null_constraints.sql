{#-
  The marts' not-null columns are `not_null` constraints of their enforced contracts
  (models/marts/_marts.yml): DuckDB refuses a null as the row is written, so a violating
  build fails its model and nothing downstream (the publish) runs. dbt only declares the
  constraints when it creates a table; an incremental mart built before a constraint was
  declared (an existing warehouse), or a column `on_schema_change` appended, keeps accepting
  nulls. `enforce_not_null_constraints` (on-run-end) adds the missing ones, in one query when
  none is missing: a null written meanwhile fails it ("Cannot SET NOT NULL on column ... the
  column has NULL values"), which fails the build as the `not_null` test did after the model
  ran; from then on the table refuses nulls itself.
-#}
{% macro enforce_not_null_constraints() -%}
    {%- if execute -%}
        {%- set declared = {} -%}
        {%- for node in graph.nodes.values() if node.resource_type == 'model'
                and (node.config.get('contract') or {}).get('enforced') -%}
            {%- set relation = api.Relation.create(
                database=node.database, schema=node.schema, identifier=node.alias) -%}
            {%- for column in node.columns.values() -%}
                {%- if column.constraints | selectattr('type', 'equalto', 'not_null') | list -%}
                    {%- set key = [node.database, node.schema, node.alias, column.name] | join('.') -%}
                    {%- do declared.update({key: (relation, column.name)}) -%}
                {%- endif -%}
            {%- endfor -%}
        {%- endfor -%}
        {%- set statements = [] -%}
        {%- if declared -%}
            {%- set nullable = run_query(
                "select table_catalog || '.' || table_schema || '.' || table_name || '.' || column_name"
                ~ " from information_schema.columns where is_nullable = 'YES' and "
                ~ "table_catalog || '.' || table_schema || '.' || table_name || '.' || column_name in ('"
                ~ (declared.keys() | join("', '")) ~ "')") -%}
            {%- for row in nullable.rows -%}
                {%- set relation, column = declared[row[0]] -%}
                {%- do statements.append('alter table ' ~ relation ~ ' alter column '
                    ~ adapter.quote(column) ~ ' set not null') -%}
            {%- endfor -%}
        {%- endif -%}
        {{ statements | join(';\n') if statements else 'select 1' }}
    {%- endif -%}
{%- endmacro %}
