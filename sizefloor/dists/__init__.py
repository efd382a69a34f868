"""Distribution files: zip central directories, wheels and their metadata, sdists."""
