"""Medborgarlöften: staff draft, sign and follow up; residents read them at
/<lang>/loften/<slug>."""
