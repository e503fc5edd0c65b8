"""The åtgärdsplan: one register of measures (the löfte's åtgärder included), its public
page and the yearly report to kommunfullmäktige."""
