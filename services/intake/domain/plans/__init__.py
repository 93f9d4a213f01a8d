"""Plan document parsing: turn the text of a 法治政府建设实施方案 into numbered measures.

Entry point: :func:`services.intake.domain.plans.parser.parse_plan`. Pure functions, standard library only.
"""
