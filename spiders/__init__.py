"""Scrapy spiders, one per marketplace. They navigate; spiders/pages/ does the reading."""
