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
        valid_to
    from roles

)

select * from final
