"""The REST API of readings (DESIGN.md section 6): serializers parse, views stay thin and call
readings.selectors and readings.services, the same code the pages use."""
