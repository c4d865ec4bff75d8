"""The aggregates: hubs, schools, their rolls, students, activities, placements."""
