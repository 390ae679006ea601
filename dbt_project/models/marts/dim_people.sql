with

people as (

    select * from {{ ref('int_people_resolved') }}

),

appearances as (

    select * from {{ ref('fct_appearances') }}

),

appearance_counts as (

    select
        person_id,
        count(*) as appearance_count
    from appearances
    group by person_id

),

final as (

    select
        people.person_id,
        people.full_name,
        people.name_variants,
        people.honorific,
        people.title,
        people.organisation,
        people.first_seen_date,
        people.last_seen_date,
        people.release_count,
        coalesce(appearance_counts.appearance_count, 0) as appearance_count,
        -- additive (CHANGELOG 2.0.0): known only from reference data (a past office holder)
        people.is_reference_only
    from people
    left join appearance_counts
        on people.person_id = appearance_counts.person_id

)

select * from final
