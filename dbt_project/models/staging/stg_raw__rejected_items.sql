with

source_rejected_items as (

    select * from {{ source('raw', 'rejected_items') }}

),

final as (

    select
        cast(rejected_at as timestamp) as rejected_at,
        source,
        locator,
        reason,
        detail,
        payload_sha256,
        cast(partition_date as date) as partition_date
    from source_rejected_items

)

select * from final
