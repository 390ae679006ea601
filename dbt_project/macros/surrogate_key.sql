{#- Deterministic surrogate key: md5 of the natural key parts, so ids are stable across
    rebuilds. A prefix keeps keys of different entities apart. -#}
{% macro surrogate_key(prefix, columns) -%}
    md5(concat_ws('|', '{{ prefix }}'
    {%- for column in columns -%}, coalesce(cast({{ column }} as varchar), '<null>'){%- endfor -%}))
{%- endmacro %}

{#- The event de-duplication block: events can only merge when start date and type agree
    (places may differ by containment, so the place is a merge rule, not part of the
    block). Used on raw mentions and on marts.fct_events, so both sides must pass the same
    expressions. -#}
{% macro event_group_key(start_date, event_type) -%}
    {{ surrogate_key('event_block', [start_date, event_type]) }}
{%- endmacro %}
