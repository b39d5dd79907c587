"""The AWS adapter: inventory, CloudWatch utilisation, Cost Explorer costs and prices (read-only).

Entry point: :class:`costopt.providers.aws.adapter.AwsProvider`. The exact API actions it calls
are listed in ``iam-policy.json`` beside this module (a test keeps the two in step).
"""
