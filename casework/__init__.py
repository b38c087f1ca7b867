"""Casework: what the office does about a child — protection concerns, risk and case plans,
referrals to the departments and organisations of the joint conference, and their partners.

A layer between the register and the apps: it imports ``registry`` and the ground floor;
``programmes`` and ``volunteers`` import it (a concern ticked in a home visit or a volunteer's
worry becomes a ``Concern`` through ``casework.services``); the roof combines everything.
"""
