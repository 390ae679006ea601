{#- Generic test: none of `columns` holds a null, checked in one scan of the model (one dbt
    node instead of one `not_null` test per column: each node costs dbt ~20-30 ms of its own).
    Fails with one row per column that holds nulls: the column's name and how many. -#}
{% test columns_not_null(model, columns) %}
with null_counts as (
    select
        {%- for column in columns %}
        count(*) filter (where {{ adapter.quote(column) }} is null) as {{ adapter.quote(column) }}
        {%- if not loop.last %},{% endif %}
        {%- endfor %}
    from {{ model }}
)

select column_name, null_count
from null_counts
unpivot (null_count for column_name in (
    {%- for column in columns %}{{ adapter.quote(column) }}{% if not loop.last %}, {% endif %}{% endfor -%}
))
where null_count > 0
{% endtest %}
