from decimal import Decimal

from django import forms

from gongjian.core.forms import DATE_INPUT, Styled

from .filtersets import MonthField
from .models import Kind, Method


class PaymentForm(Styled, forms.Form):
    first_month = MonthField(label="起始月份", error_messages={"required": "请填写起始月份。"})
    last_month = MonthField(label="截止月份", required=False,
                            help_text="只交一个月时可不填；补交、预交填写截止月份。")
    paid_on = forms.DateField(label="交纳日期", widget=DATE_INPUT,
                              error_messages={"required": "请填写交纳日期。"})
    method = forms.ChoiceField(label="交纳方式", choices=Method.choices)
    proxy_payer = forms.CharField(label="代交人", max_length=50, required=False,
                                  help_text="委托代交时填写代交人姓名。")
    reduction = forms.DecimalField(label="每月减免金额（元）", required=False, min_value=0,
                                   max_digits=12, decimal_places=2, initial=Decimal("0"))
    reduction_reason = forms.CharField(label="减免原因", max_length=100, required=False)
    reduction_approved_by = forms.CharField(label="减免批准人", max_length=50, required=False)
    makeup_approved_by = forms.CharField(label="补交超过六个月的批准人", max_length=50,
                                         required=False,
                                         help_text="补交超过六个月须经党委批准，填写批准人。")

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)


class BaseForm(Styled, forms.Form):
    year = forms.IntegerField(label="年度", min_value=2000, max_value=2100)
    kind = forms.ChoiceField(label="党员类别（党费）", choices=Kind.choices)
    base = forms.DecimalField(label="月收入基数（元）", required=False, max_digits=12,
                              decimal_places=2,
                              help_text="在职党员为税后月工资性收入，离退休党员为月离退休费；学生等可不填。")
    note = forms.CharField(label="备注", max_length=100, required=False)

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)


class RemittanceForm(Styled, forms.Form):
    month = MonthField(label="所属月份")
    amount = forms.DecimalField(label="上缴金额（元）", max_digits=12, decimal_places=2)
    remitted_on = forms.DateField(label="上缴日期", widget=DATE_INPUT)
    note = forms.CharField(label="备注", max_length=100, required=False)

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
