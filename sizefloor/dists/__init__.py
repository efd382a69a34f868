"""Distribution files: zip central directories, wheels and their metadata, sdists, local projects
(built, or estimated from their sources)."""
