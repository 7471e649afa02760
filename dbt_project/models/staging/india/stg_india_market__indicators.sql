{{ stg_india_macro_releases('india_market_indicators', 'market_feed') }}
