-- A known office (seed known_offices) has one holder at a time: no two people hold the
-- same seeded title and organisation on overlapping dates.
with

roles as (

    select * from {{ ref('int_person_roles') }}

),

known_roles as (

    select * from roles where is_known_office

),

final as (

    select earlier.person_id, later.person_id as other_person_id, earlier.title, earlier.organisation
    from known_roles as earlier
    inner join known_roles as later
        on earlier.title = later.title
        and earlier.organisation = later.organisation
        and earlier.person_id <> later.person_id
        and earlier.valid_from <= later.valid_from
        and coalesce(earlier.valid_to, date '9999-12-31') >= later.valid_from

)

select * from final
