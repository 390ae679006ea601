{{ config(severity='warn') }}
-- Soft check: a mention's offsets index its release's body_text
-- (body_text[start:end] == mention_text, Python code-point offsets).
-- A run with a partition window checks the releases it rebuilt (int_releases_windowed): the
-- marts' other rows are as the run that wrote them checked them. Without one, every release.
-- depends_on: {{ ref('int_releases_windowed') }}
with

person_mentions as (

    select * from {{ ref('fct_person_mentions') }}

),

location_mentions as (

    select * from {{ ref('fct_location_mentions') }}

),

releases as (

    select * from {{ ref('fct_releases') }}
    {% if partition_window()['start'] -%}
    where release_id in (select release_id from {{ ref('int_releases_windowed') }})
    {%- endif %}

),

mentions as (

    select release_id, mention_text, "start", "end" from person_mentions
    union all
    select release_id, mention_text, "start", "end" from location_mentions

),

final as (

    select mentions.*
    from mentions
    inner join releases
        on mentions.release_id = releases.release_id
    where substring(releases.body_text, mentions."start" + 1, mentions."end" - mentions."start")
        <> mentions.mention_text

)

select * from final
