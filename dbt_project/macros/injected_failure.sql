{#- A test hook (reliability matrix row 30): `--vars '{fail_model: fct_events}'` makes that
    model's select raise, to show that a failed incremental run leaves its table as it was.
    Renders to nothing unless the var names this model. -#}
{% macro injected_failure() -%}
    {%- if var('fail_model', none) == this.identifier -%}
        where error('injected failure in {{ this.identifier }}') is null
    {%- endif -%}
{%- endmacro %}
