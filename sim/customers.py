"""The events that customer behaviour (`sim.behaviour`) adds to a run of the centre.

A contact that has to wait gets one at its callback offer and one at the end of its patience
(to redial) when its type has those rules; a service of a type that escalates or comes back
decides so when it ends; a redial, repeat or transfer is a new contact, appended to the
centre's lists, arriving by its own timeout. A caller who takes a callback leaves the live
queue for its skill's callback queue, which agents serve only when no live contact of the
skill is waiting (so callbacks fill the quiet times). An e-mail channel outside its business
hours is *closed*: its contacts queue and no agent takes them until it opens.

`CustomerEvents` is a part of `sim.engine.Centre`, kept here to keep each module to one idea:
its methods work on the centre's per-contact lists (``arrival``, ``deadline``, ``ctype``, ...)
and call its routing (``_route``, ``wake``, ``waiting``).
"""

from __future__ import annotations

import math

import simpy

from sim.behaviour import REPEAT, RETRIAL, TRANSFER


class CustomerEvents:
    """Callback offers, redials, escalations, repeats and business hours of `sim.engine.Centre`
    (see the module docstring)."""

    def _watch(self, i: int) -> None:
        """Schedule what may happen to waiting contact `i`: a callback offer, a redial."""
        rules = self.rules[self.ctype[i]]
        now, deadline = self.env.now, self.deadline[i]
        offer_at = now + rules.offer_callback_after_s
        tracked = self.drill is not None  # only a drill changes the rules of waiting contacts
        if offer_at < deadline and offer_at < self.length_s:
            if tracked:
                self.offer_due.add(i)
            self.env.timeout(offer_at - now, i).callbacks.append(self._on_offer)
        if rules.retrial_probability > 0 and deadline < self.length_s:
            if tracked:
                self.patience_due.add(i)
            self.env.timeout(deadline - now, i).callbacks.append(self._on_patience_end)

    def _on_offer(self, event: simpy.Event) -> None:
        """Offer a callback to contact `i` if it is still waiting; one who takes it leaves the
        live queue (its entry there is skipped: deadline -inf) for the callback queue."""
        i = event._value
        if math.isnan(self.answer[i]) and self.deadline[i] > self.env.now:
            rules = self.rules[self.ctype[i]]
            if rules.uniform() < rules.callback_take_up:
                self.deadline[i] = -math.inf
                self.callback[i] = True
                self.callback_at[i] = self.env.now
                self.callback_queue[self.type_skill[self.ctype[i]]].append(~i)

    def _on_patience_end(self, event: simpy.Event) -> None:
        """Contact `i`'s patience ran out: if it was never answered it abandoned, and may
        redial."""
        i = event._value
        if math.isnan(self.answer[i]) and not self.callback[i]:
            rules = self.rules[self.ctype[i]]
            if rules.uniform() < rules.retrial_probability:
                self.redialled.append(i)
                delay = rules.retrial_delay()
                self._new_contact(self.ctype[i], self.tier[i], self.env.now + delay, RETRIAL)

    def _after_service(self, i: int) -> None:
        """The contact served is escalated to another type, or comes back later unresolved,
        or neither. An escalated contact is handed on, so it does not also come back."""
        t = self.ctype[i]
        rules = self.rules[t]
        now = self.env.now
        if rules.escalation:
            u = rules.uniform()
            for cumulative, to in rules.escalation:
                if u < cumulative:
                    tier = self.behaviour.tier_map[t][to][self.tier[i]]
                    if tier < 0:
                        tier = self._draw_tier(to)
                    self._new_contact(to, tier, now, TRANSFER)
                    return
        if rules.repeat_probability > 0 and rules.uniform() < rules.repeat_probability:
            self._new_contact(t, self.tier[i], now + rules.repeat_delay(), REPEAT)

    def _draw_tier(self, t: int) -> int:
        rules = self.rules[t]
        u = rules.tier()
        return next(
            (k for k, c in enumerate(rules.tier_cumulative) if u < c),
            len(rules.tier_cumulative) - 1,
        )

    def _new_contact(self, t: int, tier: int, at_s: float, origin: int) -> None:
        """Append a contact of type `t` arriving at `at_s` (dropped past the horizon)."""
        if at_s >= self.length_s:
            return
        rules = self.rules[t]
        j = len(self.arrival)
        self.arrival.append(at_s)
        self.handle.append(rules.handle())
        self.deadline.append(at_s + rules.patience() if rules.patience else math.inf)
        self.ctype.append(t)
        self.tier.append(tier)
        self.answer.append(math.nan)
        self.served_by.append(-1)
        self.agent_of.append(-1)
        self.origin.append(origin)
        self.callback.append(False)
        self.env.timeout(at_s - self.env.now, j).callbacks.append(self._on_late_arrival)

    def _on_late_arrival(self, event: simpy.Event) -> None:
        self._route(event._value)

    def _schedule_hours(self) -> None:
        """Close the deferred channels now closed, and schedule their openings and closings."""
        for channel, changes in enumerate(self.behaviour.hours):
            for time_s, is_open in changes:
                if time_s == 0:
                    self.closed[channel] = not is_open
                elif time_s < self.length_s:
                    self.env.timeout(time_s, (channel, is_open)).callbacks.append(self._on_hours)

    def _on_hours(self, event: simpy.Event) -> None:
        channel, is_open = event._value
        self.closed[channel] = not is_open
        if is_open:
            # Idle agents who serve the channel take its backlog now.
            for group in self.channel_groups[channel]:
                self.wake(group.index)

    # --- what an incident's controller may use (sim.hooks.CentreAPI) ---------------------------

    def rules_changed(self, contact_type: int) -> None:
        """`contact_type`'s rules were changed: contacts of the type queued from now on get the
        waiting events the new rules call for."""
        self.watch[contact_type] = self.rules[contact_type].watches_queue

    def watch_waiting(self, skill: int) -> None:
        """Apply the (changed) waiting rules of their types to contacts of `skill` already
        waiting that have no such event yet: a callback offer due in the past is made now, and
        a caller whose patience runs out may redial."""
        now = self.env.now
        for i in self.waiting(skill):
            rules = self.rules[self.ctype[i]]
            offer_at = max(now, self.arrival[i] + rules.offer_callback_after_s)
            deadline = self.deadline[i]
            if i not in self.offer_due and offer_at < deadline and offer_at < self.length_s:
                self.offer_due.add(i)
                self.env.timeout(offer_at - now, i).callbacks.append(self._on_offer)
            if (
                i not in self.patience_due
                and rules.retrial_probability > 0
                and deadline < self.length_s
            ):
                self.patience_due.add(i)
                self.env.timeout(deadline - now, i).callbacks.append(self._on_patience_end)
