"""Customer notification copy in Arabic (Modern Standard Arabic, right-to-left). Links stand on a line
of their own, so no right-to-left text or direction mark ever touches a URL; the renderer adds the
marks (RLM at each line, isolates around inserted Latin values). The carrier is a company (شركة),
so its verbs are feminine whether or not its name is known."""
from __future__ import annotations

from core.domain.message_copy.compose import Frame, items, link, next_step, when

C = '{{ carrier or "شركة الشحن" }}'


def line_link(label: str, variable: str) -> str:
    return link(label, variable, "\n")


FRAME = Frame(
    greeting="مرحبًا{% if customer.first_name %} {{ customer.first_name }}{% endif %}،",
    track="تتبّع شحنتك من هنا:\n{{ tracking_url }}",
    report="هل هناك مشكلة؟ أخبرنا من هنا:\n{{ report_url }}",
    signoff="مع أطيب التحيات،\nفريق {{ shop.name }}",
    footer="تصلك تحديثات التوصيل هذه لأنك طلبت من {{ shop.name }}. لإيقافها، يمكنك إلغاء الاشتراك من هنا:\n"
    "{{ unsubscribe_url }}",
)
email = FRAME.email

COPY: dict[str, dict[str, str]] = {
    "late": {
        "subject": "تأخّر طلبك {{ order.name }}",
        "body": email(
            f"كان من المفترض أن يصلك طلبك {{{{ order.name }}}} حتى الآن، لكن {C} لم تسلّمه بعد."
            "{% if new_date %} وتتوقع الآن تسليمه يوم {{ new_date }}.{% endif %}",
            next_step("نتابع الأمر عن كثب وسنراسلك فور تحرّك الشحنة. لا تحتاج إلى فعل أي شيء."),
        ),
        "sms": "{{ shop.name }}: تأخّر طلبك {{ order.name }}."
        "{% if new_date %} موعد التسليم الجديد: {{ new_date }}.{% endif %}"
        " نتابع الأمر وسنبلغك بأي جديد." + line_link("التتبع:", "tracking_url"),
    },
    "running_late": {
        "subject": "تأخير في توصيل طلبك {{ order.name }}",
        "body": email(
            f"أبلغتنا {C} بأن شحنة طلبك {{{{ order.name }}}} متأخرة."
            "{% if new_date %} الموعد الجديد المتوقع للتسليم هو {{ new_date }}."
            "{% else %} لم تحدد موعدًا جديدًا بعد، وسنبلغك به فور وصوله إلينا.{% endif %}",
            next_step("شحنتك ما زالت في الطريق ولا تحتاج إلى فعل أي شيء. نتابعها وسنخبرك إن تغيّر أي شيء آخر."),
        ),
        "sms": f"{{{{ shop.name }}}}: أبلغتنا {C} بتأخر طلبك {{{{ order.name }}}}."
        "{% if new_date %} الموعد الجديد: {{ new_date }}.{% endif %}"
        " لا حاجة لأي إجراء." + line_link("التتبع:", "tracking_url"),
    },
    "stuck": {
        "subject": "نتحقق من طلبك {{ order.name }}",
        "body": email(
            f"لم تُسجَّل أي حركة لشحنة طلبك {{{{ order.name }}}} لدى {C} منذ بضعة أيام. قد تبقى الشحنات أحيانًا "
            "في أحد المستودعات لبعض الوقت، لكننا لم نرد أن نتركك في حيرة.",
            next_step(f"فتحنا بلاغًا ونتابع الأمر مع {C}. سنراسلك فور تحرّك الشحنة، وإن لم تتحرك فسنتفق معك على حل."),
        ),
        "sms": "{{ shop.name }}: شحنة طلبك {{ order.name }} متوقفة منذ بضعة أيام. نتابع الأمر مع شركة الشحن "
        "وسنبلغك." + line_link("التتبع:", "tracking_url"),
    },
    "needs_action.failed_attempt": {
        "subject": "تعذّر توصيل طلبك {{ order.name }}",
        "body": email(
            f"حاولت {C} توصيل طلبك {{{{ order.name }}}} لكنها لم تتمكن من تسليمه."
            "{% if new_date %} ستكون المحاولة التالية يوم {{ new_date }}.{% endif %}",
            next_step("لاختيار يوم آخر أو مكان آمن أو نقطة استلام، استخدم صفحة التتبع. وإن لم يكن هناك من يستلم "
                      "الشحنة، فقد تُنقل إلى نقطة استلام قريبة، لذا انتبه لإشعار شركة الشحن."),
            when("tracking_number", "رقم التتبع: {{ tracking_number }}"),
        ),
        "sms": "{{ shop.name }}: تعذّر توصيل طلبك {{ order.name }}."
        "{% if new_date %} المحاولة التالية: {{ new_date }}.{% endif %}"
        + line_link("لتغيير موعد التوصيل:", "tracking_url"),
    },
    "needs_action.pickup_waiting": {
        "subject": "طلبك {{ order.name }} جاهز للاستلام",
        "body": email(
            "شحنة طلبك {{ order.name }} بانتظارك في نقطة استلام{% if carrier %} تابعة لـ{{ carrier }}{% endif %}."
            "{% if new_date %} يُرجى استلامها قبل نهاية يوم {{ new_date }}، وبعدها ستُعاد إلينا."
            "{% else %} يُرجى استلامها قريبًا، فنقاط الاستلام لا تحتفظ بالشحنات إلا لبضعة أيام.{% endif %}",
            next_step("ستجد العنوان ومواعيد العمل في صفحة التتبع. أحضر معك إثبات هوية يحمل صورتك"
                      "{% if tracking_number %} ورقم التتبع {{ tracking_number }}{% endif %}."),
        ),
        "sms": "{{ shop.name }}: طلبك {{ order.name }} بانتظارك في نقطة استلام."
        "{% if new_date %} آخر موعد للاستلام: {{ new_date }}.{% endif %}"
        + line_link("العنوان والمواعيد:", "tracking_url"),
    },
    "needs_action.customs": {
        "subject": "طلبك {{ order.name }} محتجز لدى الجمارك",
        "body": email(
            "شحنة طلبك {{ order.name }} محتجزة لدى الجمارك. يعني هذا عادةً أن الجمارك تحتاج إلى مستند أو إلى دفع "
            "رسوم أو ضرائب استيراد قبل الإفراج عنها.",
            next_step(f"ستتواصل معك {C} إن احتاجت إلى شيء، عادةً عبر البريد الإلكتروني أو الرسائل النصية. يُرجى "
                      "الرد سريعًا حتى لا تُعاد الشحنة. وإن شككت في صحة أي رسالة، فراجع صفحة التتبع أو رُدّ على "
                      "هذه الرسالة، ويسعدنا مساعدتك."),
        ),
        "sms": "{{ shop.name }}: طلبك {{ order.name }} محتجز لدى الجمارك، وقد يُطلب منك مستند أو رسوم استيراد."
        + line_link("التفاصيل:", "tracking_url"),
    },
    "needs_action.address": {
        "subject": "يُرجى التحقق من عنوان التوصيل لطلبك {{ order.name }}",
        "body": email(
            f"لم تتمكن {C} من توصيل طلبك {{{{ order.name }}}} بسبب مشكلة في العنوان، فقد يكون ناقصًا أو يصعب "
            "الوصول إليه.",
            next_step("أرسل لنا العنوان كاملًا، مع رقم المبنى والشقة وأي علامة مميزة قريبة، بالرد على هذه الرسالة "
                      f"أو من الرابط أدناه. سننقله إلى {C} فورًا قبل أن تُعاد الشحنة."),
            report="أرسل لنا العنوان كاملًا من هنا:\n{{ report_url }}",
        ),
        "sms": "{{ shop.name }}: تعذّر توصيل طلبك {{ order.name }} بسبب مشكلة في العنوان. أرسل لنا العنوان الصحيح."
        + line_link("", "report_url"),
    },
    "damaged": {
        "subject": "تضرر طلبك {{ order.name }} أثناء الشحن",
        "body": email(
            f"نأسف لإبلاغك بأن {C} أخبرتنا بتضرر شحنة طلبك {{{{ order.name }}}} في الطريق إليك.",
            next_step("لن تتحمل أي خسارة. سنتواصل معك خلال يوم عمل واحد لنرسل لك بديلًا أو نرد لك المبلغ، حسب ما "
                      "تفضّل."),
            when("report_url", "إن وصلتك الشحنة رغم ذلك، فاحتفظ بها وأرسل لنا صورة من الرابط أدناه، فهذا يساعدنا "
                               "في تقديم مطالبة لدى شركة الشحن."),
            track=False,
        ),
        "sms": "{{ shop.name }}: نأسف، تضرر طلبك {{ order.name }} أثناء الشحن. سنتواصل معك خلال يوم عمل لإرسال "
        "بديل أو رد المبلغ.",
    },
    "returning": {
        "subject": "طلبك {{ order.name }} في طريق عودته إلينا",
        "body": email(
            f"لم تتمكن {C} من إتمام توصيل طلبك {{{{ order.name }}}}، وهي تعيد الشحنة إلينا الآن.",
            next_step("فور وصولها سنتواصل معك لإعادة إرسالها أو رد المبلغ، حسب اختيارك. وإن تغيّر عنوانك، فأخبرنا "
                      "به من الرابط أدناه حتى يصلك الطلب في المرة القادمة."),
        ),
        "sms": "{{ shop.name }}: تعذّر توصيل طلبك {{ order.name }} وهو عائد إلينا. سنتواصل معك لإعادة الإرسال "
        "أو رد المبلغ." + line_link("", "report_url"),
    },
    "presumed_lost": {
        "subject": "نأسف: يبدو أن طلبك {{ order.name }} قد فُقد",
        "body": email(
            f"نأسف كثيرًا: لم تُسجَّل أي حركة لشحنة طلبك {{{{ order.name }}}} لدى {C} منذ مدة طويلة، ونعتقد أنها "
            "فُقدت.",
            next_step("لا نريد أن نجعلك تنتظر أكثر. أخبرنا إن كنت تفضّل بديلًا أو استرداد المبلغ، من الرابط أدناه "
                      "أو بالرد على هذه الرسالة، وسنتولى الأمر فورًا."),
            track=False, report="بديل أم استرداد المبلغ؟ أخبرنا من هنا:\n{{ report_url }}",
        ),
        "sms": "{{ shop.name }}: نأسف، يبدو أن طلبك {{ order.name }} قد فُقد. اختر بديلًا أو استرداد المبلغ "
        "وسنتولى الأمر." + line_link("", "report_url"),
    },
    "unfulfilled": {
        "subject": "مستجدات طلبك {{ order.name }}",
        "body": email(
            "يستغرق تجهيز طلبك {{ order.name }} وشحنه وقتًا أطول مما خططنا له."
            "{% if new_date %} نتوقع الآن شحنه في موعد أقصاه {{ new_date }}.{% endif %}",
            next_step("سنرسل لك رابط التتبع فور خروج الطلب. وإن كنت تفضّل عدم الانتظار، فأخبرنا من الرابط أدناه "
                      "وسنلغي الطلب ونرد لك المبلغ كاملًا."),
            track=False,
        ),
        "sms": "{{ shop.name }}: نعتذر، يتأخر شحن طلبك {{ order.name }}."
        "{% if new_date %} سنشحنه في موعد أقصاه {{ new_date }}.{% endif %}"
        " سنرسل لك رابط التتبع.",
    },
    "partial": {
        "subject": "جزء من طلبك {{ order.name }} في الطريق",
        "body": email(
            items("شُحن جزء من طلبك {{ order.name }}، لكن هذه المنتجات ما زالت لدينا:",
                  "شُحن جزء من طلبك {{ order.name }}، وما زال الباقي لدينا."),
            when("new_date", "نتوقع شحنها في موعد أقصاه {{ new_date }}."),
            next_step("سنرسلها فور جاهزيتها ونشاركك رابط تتبعها. لا تحتاج إلى فعل أي شيء."),
        ),
        "sms": "{{ shop.name }}: جزء من طلبك {{ order.name }} في الطريق، والباقي يُشحن"
        "{% if new_date %} بحلول {{ new_date }}{% else %} قريبًا{% endif %}." + line_link("التتبع:", "tracking_url"),
    },
    "shipped": {
        "subject": "طلبك {{ order.name }} في الطريق إليك",
        "body": email(
            "أخبار سارة: شُحن طلبك {{ order.name }}{% if carrier %} مع {{ carrier }}{% endif %}."
            "{% if new_date %} من المتوقع أن يصلك يوم {{ new_date }}.{% endif %}",
            items("محتويات الشحنة:"),
            next_step("نتابع كل شحنة، فإن حدث أي خطأ في الطريق فستعرفه منا أولًا."),
        ),
        "sms": "{{ shop.name }}: طلبك {{ order.name }} في الطريق"
        "{% if new_date %}، ومن المتوقع وصوله يوم {{ new_date }}{% endif %}." + line_link("التتبع:", "tracking_url"),
    },
    "out_for_delivery": {
        "subject": "طلبك {{ order.name }} يصلك اليوم",
        "body": email(
            "خرجت شحنة طلبك {{ order.name }} للتوصيل{% if carrier %} مع {{ carrier }}{% endif %}، ومن المتوقع أن "
            "تصلك اليوم.",
            next_step("إن لم تكن موجودًا، يمكنك اختيار مكان آمن أو جار لاستلامها من صفحة التتبع."),
        ),
        "sms": "{{ shop.name }}: خرج طلبك {{ order.name }} للتوصيل ويصلك اليوم." + line_link("التتبع:", "tracking_url"),
    },
    "delivered_after_problem": {
        "subject": "وصل طلبك {{ order.name }}",
        "body": email(
            "أخبار سارة: تم توصيل طلبك {{ order.name }}. شكرًا لصبرك أثناء التأخير، ونأسف لأنه استغرق وقتًا أطول "
            "مما ينبغي.",
            next_step("إن كان هناك شيء ناقص أو تالف، فأخبرنا من الرابط أدناه وسنصلح الأمر."),
            track=False,
        ),
        "sms": "{{ shop.name }}: تم توصيل طلبك {{ order.name }}. شكرًا لصبرك!"
        + line_link("هل من مشكلة؟ أخبرنا:", "report_url"),
    },
    "follow_up": {
        "subject": "ما زلنا نتابع طلبك {{ order.name }}",
        "body": email(
            "نودّ أن نطلعك على آخر مستجدات طلبك {{ order.name }}.",
            next_step(f"ما زلنا نعمل على الأمر مع {C} ولم ننسك. سنراسلك فور توفر أي جديد."),
            when("new_date", "أحدث موعد متوقع للتسليم هو {{ new_date }}."),
        ),
        "sms": "{{ shop.name }}: مستجدات طلبك {{ order.name }}. "
        + next_step("ما زلنا نتابع الأمر وسنبلغك قريبًا.")
        + line_link("التتبع:", "tracking_url"),
    },
    "survey": {
        "subject": "ما رأيك في توصيل طلبك {{ order.name }}؟",
        "body": email(
            "نأمل أن يكون طلبك {{ order.name }} قد وصلك بسلام. هل أبقيناك على اطلاع كافٍ بشأن التوصيل؟ إنه سؤال "
            "واحد يستغرق عشر ثوانٍ:",
            when("survey_url", "{{ survey_url }}"),
            "يصل ردك مباشرة إلى فريق {{ shop.name }} ويساعدنا على التحسن.",
            track=False, report=False,
        ),
        "sms": "{{ shop.name }}: كيف كانت تجربة توصيل طلبك {{ order.name }}؟ "
        + line_link("سؤال واحد فقط:", "survey_url"),
    },
}

SAMPLE = {"first_name": "ليلى", "items": [("مريلة من الكتان", 1), ("كوب خزفي", 2)]}
