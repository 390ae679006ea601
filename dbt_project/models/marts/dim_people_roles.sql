{#- Rebuilt after fct_appearances: that model's post-hook (refresh_appearance_titles) reads
    this table as the last run left it, to find the people whose spans changed. -#}
-- depends_on: {{ ref('fct_appearances') }}
with

roles as (

    select * from {{ ref('int_person_roles') }}

),

final as (

    select
        person_id,
        title,
        organisation,
        valid_from,
        valid_to,
        -- additive (CHANGELOG 2.0.0): where the span comes from
        is_known_office,
        first_observed_date,
        last_observed_date,
        observation_count,
        date_basis
    from roles

)

select * from final
