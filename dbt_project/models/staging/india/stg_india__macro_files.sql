{{ stg_india_macro_releases('india_macro_files', 'landing_file') }}
