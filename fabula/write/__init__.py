"""Writers: a Document out to files. Every file is written atomically."""
