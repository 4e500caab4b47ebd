"""Messages in the panel: workflows (with the shortcode picker), deliveries, dead-lettered jobs to re-run."""
