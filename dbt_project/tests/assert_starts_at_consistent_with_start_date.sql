-- starts_at (UTC) lies within a day of start_date (local): converting a local time to UTC
-- moves the date by at most one day. starts_at needs a start_time, and end_date (when
-- given) is after start_date.
with

events as (

    select * from {{ ref('fct_events') }}

),

final as (

    select event_id, start_date, end_date, start_time, starts_at
    from events
    where (starts_at is not null
            and abs(date_diff('day', start_date, cast(starts_at as date))) > 1)
        or (starts_at is not null and start_time is null)
        or (end_date is not null and end_date <= start_date)

)

select * from final
