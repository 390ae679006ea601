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
