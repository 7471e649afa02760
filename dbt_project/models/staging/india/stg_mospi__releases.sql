{{ stg_india_macro_releases('mospi_releases', 'mospi_api') }}
