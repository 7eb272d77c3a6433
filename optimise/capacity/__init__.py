"""The long-range capacity plan: how many agents each group needs week by week as volume moves
(`requirement`), how many it will have as people leave and classes train (`supply`), and the
cheapest hiring classes that keep each week covered with a stated chance (`hiring`)."""
